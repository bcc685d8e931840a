// Transactions streamed in parts: how one source transaction of any size is applied in bounded memory.
//
// Why: the planner collapses what it holds (final state per row, graph order), so holding a whole transaction
// costs memory in proportion to it (~1.1 KB per row); a bulk UPDATE of millions of rows exhausted the heap,
// and the long synchronous collapse starved the replication status timer until PostgreSQL killed the walsender.
//
// What: the assembler buffers at most `maxRows` changes / `maxBytes` of wal2json text of the open transaction.
// When a limit is reached it hands on what it holds as a TransactionPart, which is planned, applied and dropped
// before the next message is read (the socket stays paused meanwhile: backpressure). The commit completes the
// transaction with its last part (a SourceTransaction with `part` set). Invariants:
//  1. Smaller transactions are untouched: whole, collapsed together, one mutation when they fit (atomicity).
//  2. The version is known at the begin: wal2json's B record carries the commit LSN (logical decoding replays a
//     transaction only once it committed; the assembler checks that C agrees), so every part's rows carry the
//     commit LSN as today. The end LSN is only known at C: only the last batch of the last part carries the
//     checkpoint, so a crash anywhere before it replays the whole transaction from its begin.
//  3. Later part wins on an equal version: every batch of a streamed transaction names it (`stream`), and
//     applyBatch lets its ops replace a row (or tombstone) stored at that same version (version-rules.ts).
//     Parts are applied in WAL order, so after the last part each key holds its final state. A replay after a
//     crash rewrites every part in order again (transient regressions inside the unfinished transaction, which
//     is not atomic anyway), and converges for the same reason. Rows of other transactions never have that
//     version: older ones are replaced as ever, newer ones cannot exist (nothing after an unfinished
//     transaction is applied), and a batch of a transaction the checkpoint already passed is skipped whole.
//  4. Within a part the planner works as for a whole transaction (collapse, deletes children-first then upserts
//     parents-first); across parts WAL order holds, which is an order PostgreSQL itself went through. Links
//     and derived fields are maintained per applied op, so they are right after every part.
//  5. A TRUNCATE inside a streamed transaction also removes rows at its own version (`inclusive`): those were
//     written by earlier parts, before it; rows the transaction writes after it come later in op order.
//  6. A part is never cut between two changes sharing an LSN (a multi-insert record), so the values slot
//     (NaN/±Infinity) still identifies each change by LSN and position within the part.
//  7. Rejected keys are remembered across parts (batcher): a later partial update of one stays a reject.
//     Moved rows' omitted columns: the move's delete (with `keep`) and its partial upsert are one change, so
//     they fall in the same part; a key written by an earlier part is found in Convex at the same version.
//
// Memory bound: about maxRows changes (or maxBytes of text) plus the batches planned from them.
import type { RowChange } from "../model/changes";

export interface PartLimits {
  /** Changes held before the open transaction is handed on as a part. */
  readonly maxRows: number;
  /** Bytes of wal2json text held before the same. */
  readonly maxBytes: number;
}

export const NO_PART_LIMITS: PartLimits = { maxRows: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY };

/** The open transaction's buffer: decides where parts are cut (invariant 6). */
export class PartBuffer {
  private changes: RowChange[] = [];
  private bytes = 0;
  private full = false;
  /** Parts handed on so far. */
  parts = 0;

  constructor(private readonly limits: PartLimits) {}

  /** Adds a change; returns the buffered changes to hand on as a part first, when the buffer was full. */
  push(change: RowChange, bytes: number): RowChange[] | null {
    let cut: RowChange[] | null = null;
    const last = this.changes[this.changes.length - 1];
    if (this.full && last && last.lsn !== change.lsn) cut = this.take();
    this.changes.push(change);
    this.bytes += bytes;
    if (this.changes.length >= this.limits.maxRows || this.bytes >= this.limits.maxBytes) this.full = true;
    return cut;
  }

  /** Everything held (the transaction's last part at its commit). */
  rest(): RowChange[] {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  private take(): RowChange[] {
    const out = this.changes;
    this.changes = [];
    this.bytes = 0;
    this.full = false;
    this.parts++;
    return out;
  }
}
