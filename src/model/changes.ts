// What flows between stages. Values are already in their Convex representation (see docs/type-mapping):
// the decoder is the only place that turns PostgreSQL text into values.
import type { Value } from "convex/values";
import type { Key } from "./key";
import type { Lsn } from "./lsn";

/** One mirrored column value, or `undefined` when wal2json omitted it (unchanged TOASTed column). */
export type Row = Record<string, Value | undefined>;

export type RowChange =
  | {
      readonly kind: "insert";
      readonly table: string;
      readonly key: Key;
      readonly row: Row;
      readonly lsn: Lsn;
      /** Float/numeric columns wal2json sent as null, which may really be NaN or ±Infinity (wal2json < 2.6). */
      readonly ambiguousNulls?: readonly string[];
    }
  | {
      readonly kind: "update";
      readonly table: string;
      readonly key: Key;
      /** Set when the update changed the primary key: the row moved from oldKey to key. */
      readonly oldKey?: Key;
      readonly row: Row;
      readonly lsn: Lsn;
      readonly ambiguousNulls?: readonly string[];
    }
  | { readonly kind: "delete"; readonly table: string; readonly key: Key; readonly lsn: Lsn }
  | { readonly kind: "truncate"; readonly tables: readonly string[]; readonly lsn: Lsn }
  /** A row that could not be decoded or stored: recorded in Convex with its reason, replayable from PG by key. */
  | { readonly kind: "reject"; readonly table: string; readonly key: Key; readonly lsn: Lsn; readonly code: string; readonly reason: string };

/** A whole source transaction, as committed in PostgreSQL. `table` fields are PostgreSQL table names. */
export interface SourceTransaction {
  readonly xid: number;
  /** LSN of the commit record: the version of every row this transaction wrote. */
  readonly commitLsn: Lsn;
  /** End of the commit record: the LSN confirmed to PostgreSQL once the transaction is durable in Convex. */
  readonly endLsn: Lsn;
  readonly commitTime: Date;
  readonly changes: readonly RowChange[];
  /**
   * Set when the transaction was too large to hold whole and came in parts (src/assemble/parts.ts): this is its
   * last part, with this index, holding only the changes after the earlier TransactionParts.
   */
  readonly part?: number;
  /** pg2convex's own transactional logical messages in this transaction (re-sync watermarks), in WAL order. */
  readonly messages?: readonly TxMessage[];
}

/** A transactional logical message (pg_logical_emit_message) whose prefix starts with MESSAGE_PREFIX. */
export interface TxMessage {
  readonly prefix: string;
  readonly content: string;
}

/** Prefix of every logical message pg2convex emits and reads; other prefixes are skipped. */
export const MESSAGE_PREFIX = "pg2convex.";

/** A leading piece of a transaction streamed in parts: its commit is not read yet, so it has no end LSN. */
export interface TransactionPart {
  readonly xid: number;
  /** Known at the begin record already: logical decoding replays a transaction only once it committed. */
  readonly commitLsn: Lsn;
  readonly commitTime: Date;
  /** 0-based; the transaction's last part is the SourceTransaction its commit completes. */
  readonly part: number;
  readonly changes: readonly RowChange[];
  readonly final: false;
}

/** What the assembler hands on: a whole transaction (or a streamed one's last part), or a leading part. */
export type AssembledUnit = SourceTransaction | TransactionPart;

export const isLeadingPart = (u: AssembledUnit): u is TransactionPart => "final" in u && u.final === false;

/** What a re-sync window reads of a stream unit: a transaction, or a leading part of one (no messages, no end LSN). */
export type ObservedTx = Pick<SourceTransaction, "xid" | "commitLsn" | "changes" | "messages">;
