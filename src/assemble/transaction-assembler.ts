// Assemble stage: groups decoded events into whole source transactions. Invariants: wal2json v2 never interleaves
// transactions (logical decoding replays each one whole, at commit), so at most one is open; changes keep WAL
// order; anything else is a protocol violation and stops the stream (not retryable: replaying the same WAL would
// fail the same way).
import type { DecodedEvent } from "../model/events";
import type { SourceTransaction } from "../model/changes";

export interface TransactionAssembler {
  /** Feeds one decoded event; returns the whole transaction when `event` is its commit, otherwise null. */
  push(event: DecodedEvent): SourceTransaction | null;
  /** xid of the open transaction, if any */
  openXid(): number | null;
}
