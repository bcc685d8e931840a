// Transactions with no mirrored rows (writes to unmirrored tables, logical messages) still move the
// position PostgreSQL may forget. They are confirmed only once Convex records a checkpoint at or past them,
// so that PostgreSQL is never confirmed past what Convex records — the invariant that makes the start-up
// continuity check exact (continuity.ts). One checkpoint-only batch (no ops) covers every empty transaction
// seen since the last; it is written at most once per EMPTY_CHECKPOINT_EVERY_MS, so a stream of unmirrored
// writes costs at most one small mutation per interval and retains at most that much more WAL.
import type { Position } from "../checkpoint";
import { formatLsn } from "../model/lsn";
import type { Batch } from "../plan";

export const EMPTY_CHECKPOINT_EVERY_MS = 1000;

export interface EmptyCheckpoints {
  /** An empty transaction seen while no other transaction was waiting in the batcher. */
  seen(pos: Position): void;
  /** A transaction entered the batcher: its batch's later checkpoint covers every pending empty one. */
  covered(): void;
  pending(): boolean;
  /** The checkpoint-only batch to write now; null when nothing is pending or (unless `force`) one was written too recently. */
  take(force?: boolean): Batch | null;
}

export function createEmptyCheckpoints(everyMs: number = EMPTY_CHECKPOINT_EVERY_MS, now: () => number = Date.now): EmptyCheckpoints {
  let pending: Position | null = null;
  let lastWrite = -Infinity;
  return {
    seen(pos) {
      pending = pos;
    },
    covered() {
      pending = null;
    },
    pending: () => pending !== null,
    take(force = false) {
      if (!pending || (!force && now() - lastWrite < everyMs)) return null;
      const checkpoint = pending;
      pending = null;
      lastWrite = now();
      return { id: `checkpoint-${formatLsn(checkpoint.endLsn)}`, ops: [], checkpoint, txCount: 0, rowCount: 0 };
    },
  };
}
