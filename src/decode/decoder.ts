// The decode stage: one wal2json format-version-2 record (include-xids, include-timestamp, include-lsn) in,
// one DecodedEvent out. Values follow docs/type-mapping.md; decodeText is the same mapping for backfill.
// It does no I/O: what one record cannot tell (see DecoderOptions) is settled later by special-values.ts.
import type { Lsn } from "../model/lsn";
import type { DecodedEvent } from "../model/events";
import type { TableSet } from "../definitions/types";
import { MESSAGE_PREFIX } from "../model/changes";
import { decodeFailed } from "./failure";
import { Wal2jsonRecord } from "./record";
import { decodeRowChange } from "./row";
import { indexTables, tableIndexKey } from "./table-index";
import type { DriftListener } from "./drift";

export interface Decoder {
  decode(message: { lsn: Lsn; text: string }): DecodedEvent;
}

export interface DecoderOptions {
  /**
   * True when the slot is read with wal2json >= 2.6's numeric-data-types-as-string (see
   * src/postgres/numeric-probe.ts): NaN/±Infinity then arrive as text. False (wal2json 2.5): they arrive as JSON
   * null, and changes list such columns in `ambiguousNulls` for the values slot to settle (special-values.ts).
   */
  numericAsString?: boolean;
  /** Receives schema drift (decode/drift.ts); without it an unknown column makes the row a reject. */
  onDrift?: DriftListener;
  /** PostgreSQL table → column → format_type when the mirror started (type changes are drift). */
  columnTypes?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /**
   * Partitions: tableIndexKey(leaf schema, leaf name) → tableIndexKey of the mirrored partitioned root. wal2json
   * names the leaf a row is stored in; its change belongs to the root's Convex table. Read on every record, so
   * the owner may add leaves while streaming (pipeline/partitions.ts).
   */
  leaves?: ReadonlyMap<string, string>;
  /** Parse every record with lossless-json, never JSON.parse (record.ts): the reference the fast path is tested against. */
  losslessParse?: boolean;
}

export function createDecoder(tables: TableSet, opts: DecoderOptions = {}): Decoder {
  const index = indexTables(tables);
  const rowOptions = { numericAsString: opts.numericAsString ?? false, ...(opts.onDrift ? { onDrift: opts.onDrift } : {}), ...(opts.columnTypes ? { columnTypes: opts.columnTypes } : {}) };
  const lookup = (rec: Wal2jsonRecord) => {
    const k = tableIndexKey(rec.string("schema"), rec.string("table"));
    const root = opts.leaves?.get(k);
    return index.get(root ?? k);
  };
  const unmirrored = (rec: Wal2jsonRecord, lsn: Lsn) => ({ type: "skip" as const, lsn, reason: `${rec.qualifiedTable} is not mirrored`, relation: { schema: rec.string("schema"), table: rec.string("table") } });
  return {
    decode({ lsn, text }) {
      const rec = Wal2jsonRecord.parse(text, lsn, opts.losslessParse ?? false);
      const action = rec.action;
      switch (action) {
        case "B":
          // B carries the commit record's LSN and time (wal2json learns the transaction at commit).
          return { type: "begin", xid: rec.xid(), commitLsn: rec.lsn("lsn"), commitTime: rec.time("timestamp"), lsn };
        case "C":
          return { type: "commit", xid: rec.xid(), commitLsn: rec.lsn("lsn"), endLsn: rec.lsn("nextlsn"), commitTime: rec.time("timestamp") };
        case "I":
        case "U":
        case "D": {
          const t = lookup(rec);
          if (!t) return unmirrored(rec, lsn);
          return { type: "change", xid: rec.xid(), change: decodeRowChange(t, rec, lsn, rowOptions) };
        }
        case "T": {
          // wal2json 2.5 writes one T record per truncated table (same xid and LSN for one TRUNCATE a, b).
          const t = lookup(rec);
          if (!t) return unmirrored(rec, lsn);
          if (opts.leaves?.has(tableIndexKey(rec.string("schema"), rec.string("table")))) {
            // One T per truncated leaf, also for TRUNCATE of the parent: a leaf's rows cannot be told apart in the
            // root's Convex table, so this is drift (re-sync the table), never a truncate of every partition.
            const detail = `partition ${rec.qualifiedTable} was truncated; its rows may remain in Convex until the table is re-synced`;
            if (!opts.onDrift) throw decodeFailed(detail, { lsn, table: t.def.name });
            opts.onDrift({ table: t.def.name, column: "", kind: "catalog", detail, lsn });
            return { type: "skip", lsn, reason: detail };
          }
          return { type: "change", xid: rec.xid(), change: { kind: "truncate", tables: [t.def.name], lsn } };
        }
        case "M":
          // Transactional pg2convex messages (re-sync watermarks) travel with their transaction; others are skipped.
          if (rec.has("prefix") && rec.string("prefix").startsWith(MESSAGE_PREFIX) && rec.flag("transactional")) {
            return { type: "message", xid: rec.xid(), prefix: rec.string("prefix"), content: rec.has("content") ? rec.string("content") : "", lsn };
          }
          return { type: "skip", lsn, reason: `logical decoding message (prefix ${JSON.stringify(rec.has("prefix") ? rec.string("prefix") : "")})` };
        default:
          throw decodeFailed(`unknown wal2json action ${JSON.stringify(action)}`, { lsn }, { fix: "read the slot with format-version=2" });
      }
    },
  };
}
