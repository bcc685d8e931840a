// The exactly-once core, as pure decisions. A row's version is the commit LSN of the source transaction
// that last wrote it. For any delivery order (duplicates, replays, reordering of whole batches) the
// stored state of a key is the one written by the highest-versioned op for that key that is not older
// than the table's last truncate: every rule below is "apply iff strictly newer".
//
// Equal versions come from the same source transaction. A replay of that transaction is a no-op, but
// inside ONE batch a later op on the same key and version wins (`touchedInBatch`), so a bridge that does
// not fold a transaction to one op per key still gets the transaction's final state. A transaction streamed
// in parts (src/assemble/parts.ts) carries one key in several batches at one version: its batches name it, and
// their ops also win on an equal version (`streamedTx`). Parts arrive in WAL order, so the last part's state is
// what stays; a replay of the unfinished transaction rewrites every part in order and ends the same way. No other
// transaction shares that version, and applyBatch skips batches of a transaction the checkpoint already passed.

export interface VersionFacts {
  /** Version carried by the op. */
  ver: bigint;
  /** Version of the stored doc, or of its tombstone when no doc exists; null when neither exists. */
  current: bigint | null;
  /** Version of the table's last truncate, null if never truncated. */
  truncatedAt: bigint | null;
  /** An earlier op of this same batch wrote this key (at the version now stored). */
  touchedInBatch: boolean;
  /** The op belongs to a transaction streamed in parts whose version is `ver` (the batch names it). */
  streamedTx?: boolean;
}

/** Whether an upsert (or a delete of an existing doc) replaces what is stored. */
export function isNewer(f: VersionFacts): boolean {
  // Rows of a truncated table older than the truncate never come back. A row written by the truncating
  // transaction itself (ver === truncatedAt) was written after the TRUNCATE, so it stays.
  if (f.truncatedAt !== null && f.ver < f.truncatedAt) return false;
  if (f.current === null) return true;
  return f.ver > f.current || (f.ver === f.current && (f.touchedInBatch || f.streamedTx === true));
}
