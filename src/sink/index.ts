// Sink stage: applies planned batches to Convex, one mutation per batch, strictly in order.
// Invariant: apply() resolves only once the batch is durable in Convex (the mutation committed); it never
// reorders — retries of a batch happen before the next batch is sent, and every batch is idempotent.
import type { ApplyBatchResult, MirrorState } from "../mirror-functions/protocol";
import type { SettleResult } from "../mirror-functions/rejects";
import type { Batch } from "../plan";
import type { Lsn } from "../model/lsn";

export interface Sink {
  apply(batch: Batch, backfill?: BackfillMark): Promise<ApplyBatchResult>;
  /** The mirror's durable state for the slot (checkpoint, phase, backfill progress). */
  state(): Promise<MirrorState>;
  beginBackfill(snapshotLsn: Lsn, tables: readonly string[]): Promise<void>;
  finishBackfill(position: { commitLsn: Lsn; endLsn: Lsn }): Promise<void>;
  /** Settles open rejects that a newer row version superseded: those `ids`, or one page of all open ones. */
  settleRejects?(args: { ids: string[] } | { cursor: string | null }): Promise<SettleResult>;
}

export interface BackfillMark {
  snapshotLsn: Lsn;
  progress: { table: string; after: unknown[] | null; done: boolean; rows: number };
}

export { createConvexSink, type ConvexSinkOptions } from "./convex-sink";
export { createNullSink } from "./null-sink";
