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
}

export function createDecoder(tables: TableSet, opts: DecoderOptions = {}): Decoder {
  const index = indexTables(tables);
  const rowOptions = { numericAsString: opts.numericAsString ?? false };
  const lookup = (rec: Wal2jsonRecord) => index.get(tableIndexKey(rec.string("schema"), rec.string("table")));
  return {
    decode({ lsn, text }) {
      const rec = Wal2jsonRecord.parse(text, lsn);
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
          if (!t) return { type: "skip", lsn, reason: `${rec.qualifiedTable} is not mirrored` };
          return { type: "change", xid: rec.xid(), change: decodeRowChange(t, rec, lsn, rowOptions) };
        }
        case "T": {
          // wal2json 2.5 writes one T record per truncated table (same xid and LSN for one TRUNCATE a, b).
          const t = lookup(rec);
          if (!t) return { type: "skip", lsn, reason: `${rec.qualifiedTable} is not mirrored` };
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
