// Output of the decode stage, input of transaction assembly: one event per wal2json format-version-2 record.
import type { Lsn } from "./lsn";
import type { RowChange } from "./changes";

export type DecodedEvent =
  | { readonly type: "begin"; readonly xid: number; readonly commitLsn: Lsn; readonly commitTime: Date; readonly lsn: Lsn }
  | { readonly type: "change"; readonly xid: number; readonly change: RowChange }
  | {
      readonly type: "commit";
      readonly xid: number;
      /** LSN of the commit record (the `lsn` field of wal2json's C record). */
      readonly commitLsn: Lsn;
      /** End of the commit record (`nextlsn`): safe to confirm once the transaction is durable. */
      readonly endLsn: Lsn;
      readonly commitTime: Date;
    }
  /** A transactional logical message with a pg2convex prefix (re-sync watermarks): travels with its transaction. */
  | { readonly type: "message"; readonly xid: number; readonly prefix: string; readonly content: string; readonly lsn: Lsn }
  /** A record for a table that is not mirrored, or a logical message: nothing to apply, position only. */
  | {
      readonly type: "skip";
      readonly lsn: Lsn;
      readonly reason: string;
      /** The table of a row record whose table is not mirrored (it may be a partition created since: pipeline/partitions.ts). */
      readonly relation?: { readonly schema: string; readonly table: string };
    };
