// The wire contract between the bridge and the Convex `applyBatch` mutation. Shared by both sides so the
// planner's cost estimate and the mutation agree. Keep it free of Node imports: Convex bundles this file.
import { v, type Infer } from "convex/values";

/** Convex's per-mutation limits (https://docs.convex.dev/production/state/limits), with headroom. */
export const CONVEX_LIMITS = {
  documentsWritten: 16_000,
  databaseQueries: 4_096,
  bytesWritten: 16 * 1024 * 1024,
  /** Largest array Convex accepts as a value (function arguments included). */
  arrayItems: 8_192,
  /** Largest document Convex stores. */
  documentBytes: 1024 * 1024,
  /** Fraction of each limit a batch may plan to use: the estimate is conservative, not exact. */
  headroom: 0.8,
} as const;

export const opValidator = v.union(
  v.object({
    o: v.literal("upsert"),
    t: v.string(),
    k: v.array(v.any()),
    ver: v.int64(),
    d: v.any(),
    /** True when some columns were omitted by wal2json (unchanged TOAST): merge into the existing doc. */
    partial: v.optional(v.boolean()),
    /**
     * Set on a partial upsert of a row whose primary key changed in this batch: the omitted columns are those
     * of the row stored at `from` before this batch (carried over, see carry.ts), not of a doc at `k`.
     */
    from: v.optional(v.array(v.any())),
    /** Keys of rows that moved away from `k` in this batch: the current doc at `k` is carried to them first. */
    keep: v.optional(v.array(v.array(v.any()))),
  }),
  v.object({ o: v.literal("delete"), t: v.string(), k: v.array(v.any()), ver: v.int64(), keep: v.optional(v.array(v.array(v.any()))) }),
  /** `inclusive`: also rows at `ver`, written by earlier parts of the same streamed transaction, before the TRUNCATE. */
  v.object({ o: v.literal("truncate"), ts: v.array(v.string()), ver: v.int64(), inclusive: v.optional(v.boolean()) }),
  /** A row the bridge could not store (named reason); recorded in the rejects table, replayable from PG by key. */
  v.object({ o: v.literal("reject"), t: v.string(), k: v.array(v.any()), ver: v.int64(), code: v.string(), reason: v.string() }),
);
export type Op = Infer<typeof opValidator>;

export const checkpointValidator = v.object({
  /** Commit LSN of the last source transaction fully contained in Convex after this batch. */
  commitLsn: v.int64(),
  /** End LSN of that commit record: what PostgreSQL may be told is flushed. */
  endLsn: v.int64(),
});

export const backfillProgressValidator = v.object({
  table: v.string(),
  /** Primary key of the last row copied (keyset cursor), null when the table is finished. */
  after: v.union(v.array(v.any()), v.null()),
  done: v.boolean(),
  rows: v.number(),
});

/**
 * One table's re-sync (src/resync/): requested by `pg2convex resync` or by `run` for a table added to the
 * definitions, then copied chunk by chunk while streaming. The cursor moves in the same mutation as a chunk.
 */
export const resyncProgressValidator = v.object({
  table: v.string(),
  /** One id per request: its watermarks and progress name it, so a replayed watermark of an older one is ignored. */
  id: v.string(),
  phase: v.union(v.literal("requested"), v.literal("copying"), v.literal("sweep"), v.literal("done")),
  /** Commit LSN of the first chunk's low watermark: documents of the table older than it after the copy are gone from PostgreSQL. */
  lowLsn: v.union(v.int64(), v.null()),
  /** Primary key (PostgreSQL text) of the last row of the last durable chunk, null before the first one. */
  after: v.union(v.array(v.any()), v.null()),
  rows: v.number(),
  requestedAt: v.number(),
  updatedAt: v.number(),
});
export type ResyncProgress = Infer<typeof resyncProgressValidator>;

/**
 * Who a mirror is: recorded in its checkpoint document when the bridge first claims it (before the backfill).
 * A deployment that lost its state has none; a deployment fed from another database has another.
 */
export const mirrorIdentityValidator = v.object({
  /** Random, made once per mirror; every bridge call that writes carries it. */
  mirrorId: v.string(),
  /** PostgreSQL's system identifier (pg_control_system()): LSNs only compare within one system. */
  systemId: v.string(),
  database: v.string(),
  slot: v.string(),
  createdAt: v.number(),
});
export type MirrorIdentity = Infer<typeof mirrorIdentityValidator>;

/** `data` of the ConvexError a mutation throws when a call is for another mirror than the one it holds. */
export interface MirrorErrorData {
  pg2c: "MIRROR_STATE_LOST" | "MIRROR_MISMATCH";
  slot: string;
  /** The mirror id the caller expected. */
  expected: string;
  /** The mirror id recorded in this deployment, null when it records none. */
  found: string | null;
}

export const applyBatchArgs = {
  /** Replication slot name: one checkpoint per slot. */
  slot: v.string(),
  /** The mirror this batch belongs to; refused when the deployment holds another (or none). Absent: unchecked. */
  mirrorId: v.optional(v.string()),
  /** The leadership epoch of the writer (claimLeadership); refused unless it is the deployment's current one. */
  epoch: v.optional(v.number()),
  /** Operation key, logged on both sides. */
  batchId: v.string(),
  ops: v.array(opValidator),
  /** Present when the batch ends on a source-transaction boundary. */
  checkpoint: v.optional(checkpointValidator),
  /** Present on every batch of a transaction streamed in parts (src/assemble/parts.ts): its commit LSN and part. */
  stream: v.optional(v.object({ commitLsn: v.int64(), part: v.number() })),
  /** Present for backfill batches. */
  backfill: v.optional(v.object({ snapshotLsn: v.int64(), progress: backfillProgressValidator })),
  /** Present for the last batch of a re-sync chunk (and its sweep): the re-sync's progress after it. */
  resync: v.optional(resyncProgressValidator),
};

/** A row recorded in pg2c_reject, as applyBatch and settleRejects report it. */
export const rejectNoticeValidator = v.object({
  id: v.string(),
  /** PostgreSQL table name (or the op's table name when this deployment does not mirror it). */
  table: v.string(),
  key: v.array(v.any()),
  ver: v.int64(),
  code: v.string(),
  reason: v.string(),
  /** ms since the epoch when it was recorded. */
  at: v.number(),
});
export type RejectNotice = Infer<typeof rejectNoticeValidator>;

export interface ApplyBatchResult {
  applied: number;
  skipped: number;
  rejected: number;
  /** False when a truncate could not finish inside this mutation's limits: send the same batch again. */
  complete: boolean;
  /**
   * Every reject recorded under this batch id, planned by the bridge or decided here (present when there are
   * any, and only once the batch is complete, so a batch sent several times reports each reject once).
   */
  rejects?: RejectNotice[];
}

export const applyBatchReturns = v.object({
  applied: v.number(),
  skipped: v.number(),
  rejected: v.number(),
  complete: v.boolean(),
  rejects: v.optional(v.array(rejectNoticeValidator)),
});

export interface MirrorState {
  slot: string;
  commitLsn: bigint | null;
  endLsn: bigint | null;
  phase: "new" | "backfill" | "stream";
  snapshotLsn: bigint | null;
  backfill: Array<{ table: string; after: unknown[] | null; done: boolean; rows: number }>;
  updatedAt: number | null;
  /** Recorded by claimMirror; null for a new mirror (or one made before identities were recorded). */
  mirror: MirrorIdentity | null;
  /** Re-syncs requested or under way (and the last finished one of each table); absent from older deployments. */
  resync?: ResyncProgress[];
}

/**
 * Who leads the slot's stream (leader-epoch.ts): raised by claimLeadership, one more each time a `pg2convex run`
 * wins the slot's advisory lock. Every writing call carries the epoch it was granted.
 */
export const leaderValidator = v.object({
  epoch: v.number(),
  /** The process that claimed it (host, pid, random instance id), for logs and status. */
  holder: v.string(),
  /** ms since the epoch when it was claimed. */
  at: v.number(),
});
export type LeaderRecord = Infer<typeof leaderValidator>;

/** `data` of the ConvexError a writing call gets when its epoch is not the deployment's current one. */
export interface LeaderErrorData {
  pg2c: "LEADER_FENCED";
  slot: string;
  /** The epoch the call carried (null: none, from a writer that never claimed leadership). */
  epoch: number | null;
  /** The deployment's current epoch and its holder. */
  current: number;
  holder: string;
}
