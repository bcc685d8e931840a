// Checkpoint stage: the one place that decides what PostgreSQL may forget.
// Invariant: the position confirmed to PostgreSQL (confirmed_flush_lsn) never passes a transaction that is
// not durable in Convex. A transaction is durable when the mutation carrying its checkpoint committed, or
// when it had no mirrored rows and every transaction before it was durable.
import type { Lsn } from "../model/lsn";

export interface Position {
  readonly commitLsn: Lsn;
  readonly endLsn: Lsn;
}

export interface CheckpointTracker {
  /** The batch carrying `pos` committed in Convex. */
  durable(pos: Position): void;
  /** A transaction with no mirrored rows, seen while nothing earlier is still in flight. */
  emptyTransaction(pos: Position): void;
  /** Last durable position, or null before the first. */
  position(): Position | null;
}

export function createCheckpointTracker(start: Position | null, confirm: (endLsn: Lsn) => void): CheckpointTracker {
  let current = start;
  const advance = (pos: Position) => {
    if (current && pos.endLsn <= current.endLsn) return;
    current = pos;
    confirm(pos.endLsn);
  };
  return { durable: advance, emptyTransaction: advance, position: () => current };
}
