// Plan stage: source transactions → Convex batches (Batch), made by the Batcher (batcher.ts).
// Invariants:
//  - within a batch each row appears once, in its final state, versioned by the commit LSN that produced it;
//  - deletes run children-first, then upserts parents-first (the table graph), truncates are barriers;
//  - consecutive transactions share a batch only while the batch stays inside Convex's per-mutation limits;
//    a transaction is split only when it alone exceeds them, and only its last part carries the checkpoint;
//  - a transaction streamed in parts (src/assemble/parts.ts) is planned part by part; each of its batches names
//    it (`stream`) and only the last batch of its last part carries the checkpoint.
import type { Op } from "../mirror-functions/wire/protocol";
import type { Lsn } from "../model/lsn";
import type { AssembledUnit } from "../model/changes";

export interface Batch {
  /** Operation key: logged by the bridge and recorded by Convex as the last batch applied. */
  readonly id: string;
  readonly ops: Op[];
  /** Set when the batch ends on a transaction boundary: the position that becomes durable with it. */
  readonly checkpoint?: { commitLsn: Lsn; endLsn: Lsn };
  readonly txCount: number;
  readonly rowCount: number;
  /** Commit time of the newest transaction in the batch (commit→visible latency). */
  readonly lastCommitTime?: Date;
  /** Commit time of every transaction the batch completes (per-transaction latency figures). */
  readonly commitTimes?: readonly Date[];
  /** For a transaction split over several batches: this part's index and the total. */
  readonly part?: { index: number; count: number };
  /** Set on every batch of a transaction streamed in parts: an op may replace a row stored at this same version. */
  readonly stream?: { commitLsn: Lsn; part: number };
}

export interface Batcher {
  /** Adds a whole transaction (or a part of a streamed one); returns the batches that became full (ready to apply, in order). */
  add(tx: AssembledUnit): Batch[];
  /** Closes the pending batch (flush interval elapsed, or stopping). */
  flush(): Batch[];
  /** Transactions accepted but not yet returned in a batch. */
  pendingTransactions(): number;
}
