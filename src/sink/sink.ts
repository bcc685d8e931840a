// The Sink contract: applies planned batches to Convex, one mutation per batch.
// Invariant: apply() resolves only once the batch is durable in Convex (the mutation committed); it never
// reorders — retries of a batch happen before apply() resolves, and every batch is idempotent. Order across
// calls is the caller's: the stream calls one at a time, in WAL order; the backfill has several pages in
// flight, only of tables whose parents are complete, and lets the cursor pass only stored pages (backfill/schedule.ts).
import type { ApplyBatchResult, MirrorIdentity, MirrorState, ResyncProgress } from "../mirror-functions/wire/protocol";
import type { SettleResult } from "../mirror-functions/apply/rejects";
import type { Batch } from "../plan";
import type { Lsn } from "../model/lsn";

export interface Sink {
  /** `resync`: the re-sync progress recorded in the same mutation (a chunk's last batch, src/resync/). */
  apply(batch: Batch, backfill?: BackfillMark, resync?: ResyncProgress): Promise<ApplyBatchResult>;
  /** The mirror's durable state for the slot (checkpoint, phase, backfill progress, identity). */
  state(): Promise<MirrorState>;
  /**
   * Records `mirror` as the slot's identity unless one is recorded (MIRROR_MISMATCH if another is), and
   * binds it: every later write carries its mirror id, so Convex refuses it if the deployment lost its
   * state or holds another mirror (MIRROR_STATE_LOST / MIRROR_MISMATCH, permanent). `continuing`: the
   * bridge will stream on from a checkpoint it read, which must therefore still exist.
   */
  claimMirror(mirror: MirrorIdentity, continuing: boolean): Promise<void>;
  /**
   * Makes this process the slot's leader in Convex (a new epoch, mirror-functions/apply/leader-epoch.ts) and
   * binds the epoch: every later write carries it and is refused (LEADER_FENCED) once another process claimed a
   * newer one. Called once, right after winning the slot's advisory lock and before reading the state.
   */
  claimLeadership?(holder: string): Promise<{ epoch: number; previous: string | null }>;
  beginBackfill(snapshotLsn: Lsn, tables: readonly string[]): Promise<void>;
  finishBackfill(position: { commitLsn: Lsn; endLsn: Lsn }): Promise<void>;
  /** Settles open rejects that a newer row version superseded: those `ids`, or one page of all open ones. */
  settleRejects?(args: { ids: string[] } | { cursor: string | null }): Promise<SettleResult>;
}

export interface BackfillMark {
  snapshotLsn: Lsn;
  progress: { table: string; after: unknown[] | null; done: boolean; rows: number };
}
