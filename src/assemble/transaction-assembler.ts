// Assemble stage: groups decoded events into whole source transactions. Invariants: wal2json v2 never interleaves
// transactions (logical decoding replays each one whole, at commit), so at most one is open; changes keep WAL
// order; anything else is a protocol violation and stops the stream (not retryable: replaying the same WAL would
// fail the same way). A transaction larger than the part limits is handed on in parts, in WAL order, its commit
// completing it with the last one (parts.ts states what that guarantees).
import type { DecodedEvent } from "../model/events";
import type { AssembledUnit } from "../model/changes";

export interface TransactionAssembler {
  /**
   * Feeds one decoded event (`bytes`: its wal2json text's length, for the part limit). Returns the whole
   * transaction (or a streamed one's last part) when `event` is its commit, a leading TransactionPart when the
   * open transaction's buffer was full, otherwise null.
   */
  push(event: DecodedEvent, bytes?: number): AssembledUnit | null;
  /** xid of the open transaction, if any */
  openXid(): number | null;
}
