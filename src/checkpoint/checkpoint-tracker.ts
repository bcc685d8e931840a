// Checkpoint stage: the one place that decides what PostgreSQL may forget.
// Invariant: PostgreSQL is never confirmed past what Convex records. The position confirmed to PostgreSQL
// (confirmed_flush_lsn) only moves to the end LSN of a checkpoint that a committed Convex mutation recorded
// — a batch of rows, or a checkpoint-only batch for transactions without mirrored rows
// (pipeline/empty-checkpoints.ts). So a slot that continues the mirror never starts after the checkpoint
// in Convex, which is what the start-up continuity check (pipeline/continuity.ts) relies on.
import type { Lsn } from "../model/lsn";

export interface Position {
  readonly commitLsn: Lsn;
  readonly endLsn: Lsn;
}

export interface CheckpointTracker {
  /** The batch carrying `pos` as its checkpoint committed in Convex. */
  durable(pos: Position): void;
  /** Last durable position, or null before the first. */
  position(): Position | null;
}

export function createCheckpointTracker(start: Position | null, confirm: (endLsn: Lsn) => void): CheckpointTracker {
  let current = start;
  return {
    durable(pos) {
      if (current && pos.endLsn <= current.endLsn) return;
      current = pos;
      confirm(pos.endLsn);
    },
    position: () => current,
  };
}
