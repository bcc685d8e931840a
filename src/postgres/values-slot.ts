// The values slot: a second logical slot, decoded by PostgreSQL's built-in test_decoding plugin, that exists
// only to tell NaN/±Infinity from SQL NULL under wal2json 2.5 (which prints all three as JSON null).
// Invariants (docs/type-mapping.md):
//   - it is created before the mirror's wal2json slot, so it decodes every transaction that slot streams;
//   - it is only advanced to positions already durable in Convex, so every transaction the mirror may
//     replay after a crash is still in it;
//   - it is read with peek (never get), so reading moves nothing.
// It needs nothing beyond the REPLICATION attribute the mirror's role already has: no publication, no DDL.
import { createHash } from "node:crypto";
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import { formatLsn, parseLsn, type Lsn } from "../model/lsn";
import { errorMessage, isMissingPlugin, sqlState } from "./pg-error";

const SUFFIX = "_values";

/** `<slot>_values`, shortened with a hash when that would pass PostgreSQL's 63-character limit. */
export function valuesSlotName(slot: string): string {
  if (slot.length + SUFFIX.length <= 63) return slot + SUFFIX;
  const hash = createHash("sha256").update(slot).digest("hex").slice(0, 8);
  return `${slot.slice(0, 63 - SUFFIX.length - 9)}_${hash}${SUFFIX}`;
}

export interface ValuesSlotState {
  readonly name: string;
  /** True when this call created it (it then covers only transactions committed from now on). */
  readonly created: boolean;
  /** Transactions committed at or after this LSN are in the slot. */
  readonly confirmedFlushLsn: Lsn;
}

/** Creates the values slot when missing; refuses one that decodes with another plugin or another database. */
export async function ensureValuesSlot(client: pg.ClientBase, slot: string): Promise<ValuesSlotState> {
  const name = valuesSlotName(slot);
  const existing = await client.query("SELECT plugin::text, database::text, confirmed_flush_lsn::text AS confirmed, wal_status, current_database() AS db FROM pg_replication_slots WHERE slot_name = $1", [name]);
  const row = existing.rows[0];
  if (row) {
    if (row.plugin !== "test_decoding" || row.database !== row.db) {
      throw new Pg2ConvexError("PG_CHECK_FAILED", `replication slot ${name} exists but is not a test_decoding slot of database ${row.db} (plugin ${row.plugin}, database ${row.database})`, {
        context: { slot: name },
        fix: `drop it (SELECT pg_drop_replication_slot('${name}')) or choose another --slot`,
      });
    }
    if (row.wal_status === "lost") {
      throw new Pg2ConvexError("SLOT_MISSING", `values slot ${name} lost WAL it had not decoded yet (wal_status = lost)`, {
        context: { slot: name },
        fix: "run pg2convex teardown --yes, then pg2convex run (a fresh backfill); raise max_slot_wal_keep_size",
      });
    }
    return { name, created: false, confirmedFlushLsn: parseLsn(row.confirmed) };
  }
  try {
    const r = await client.query("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'test_decoding')", [name]);
    return { name, created: true, confirmedFlushLsn: parseLsn(r.rows[0].lsn) };
  } catch (e) {
    if (sqlState(e) === "42710") return ensureValuesSlot(client, slot); // created concurrently
    const fix = isMissingPlugin(e, "test_decoding")
      ? "install PostgreSQL's contrib modules on the server (test_decoding ships with them), or install wal2json >= 2.6"
      : sqlState(e) === "53400"
        ? "raise max_replication_slots (pg2convex uses two slots per mirror under wal2json 2.5) and restart PostgreSQL"
        : "run pg2convex setup's checks to find the cause";
    throw new Pg2ConvexError("PG_CHECK_FAILED", `creating values slot ${name} failed: ${errorMessage(e)}`, { context: { slot: name, sqlState: sqlState(e) }, fix, cause: e });
  }
}

/** Moves the slot to `lsn` (a position durable in Convex); a position at or before the slot's is a no-op. */
export async function advanceValuesSlot(client: pg.ClientBase, name: string, lsn: Lsn): Promise<Lsn> {
  const r = await client.query(
    `SELECT (pg_replication_slot_advance(slot_name, $2::pg_lsn)).end_lsn::text AS lsn
       FROM pg_replication_slots WHERE slot_name = $1 AND confirmed_flush_lsn < $2::pg_lsn`,
    [name, formatLsn(lsn)],
  );
  return r.rows[0] ? parseLsn(r.rows[0].lsn) : lsn;
}

export async function dropValuesSlot(client: pg.ClientBase, slot: string): Promise<boolean> {
  const r = await client.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active", [valuesSlotName(slot)]);
  return (r.rowCount ?? 0) > 0;
}

/** One change line that may hold a special value, with its position: `n` orders changes sharing an LSN. */
export interface SpecialCandidate {
  readonly lsn: Lsn;
  readonly xid: number;
  readonly n: number;
  /** End of the transaction's commit record (wal2json's C "nextlsn"). */
  readonly endLsn: Lsn;
  readonly line: string;
}

export interface ValuesPeek {
  readonly candidates: readonly SpecialCandidate[];
  /** End of the last commit decoded: every transaction ending at or before it was read, or null if none. */
  readonly decodedTo: Lsn | null;
}

// Decodes from the slot's position up to `upto` (and up to `ahead` bytes past it that are already flushed, so
// that one peek serves the transactions that follow), but ships only the lines that can hold NaN/Infinity (and
// the last commit), so a bulk load between two peeks costs the server time, not the bridge's memory.
// Changes of one WAL record (a multi-insert) share an LSN; `n` numbers them as the stream does.
const PEEK_SQL = `
WITH p AS MATERIALIZED (
  SELECT lsn, xid, data, o FROM pg_logical_slot_peek_changes($1, greatest($2::pg_lsn, least(pg_current_wal_flush_lsn(), $2::pg_lsn + $3::numeric)), NULL,
    'include-xids', '1', 'skip-empty-xacts', '1')
    WITH ORDINALITY AS p(lsn, xid, data, o)
), commits AS (
  SELECT xid, max(lsn) AS end_lsn FROM p WHERE data LIKE 'COMMIT %' GROUP BY xid
), changes AS (
  SELECT lsn, xid, data, (row_number() OVER (PARTITION BY lsn, xid::text ORDER BY o) - 1)::int AS n FROM p WHERE data LIKE 'table %'
)
SELECT c.lsn::text, c.xid::text, c.n, m.end_lsn::text, c.data FROM changes c JOIN commits m USING (xid)
 WHERE c.data ~ '(NaN|Infinity)'
UNION ALL
SELECT NULL, NULL, NULL, max(end_lsn)::text, NULL FROM commits`;

export async function peekValuesSlot(client: pg.ClientBase, name: string, upto: Lsn, ahead = 16n << 20n): Promise<ValuesPeek> {
  let rows: Array<{ lsn: string | null; xid: string | null; n: number | null; end_lsn: string | null; data: string | null }>;
  try {
    rows = (await client.query(PEEK_SQL, [name, formatLsn(upto), ahead.toString()])).rows;
  } catch (e) {
    throw new Pg2ConvexError("STREAM_FAILED", `reading values slot ${name} failed: ${errorMessage(e)}`, {
      context: { slot: name, lsn: formatLsn(upto), sqlState: sqlState(e) },
      retryable: sqlState(e) !== "42704",
      fix: sqlState(e) === "42704" ? "the values slot was dropped: restart pg2convex run to recreate it" : "check the PostgreSQL log",
      cause: e,
    });
  }
  const candidates: SpecialCandidate[] = [];
  let decodedTo: Lsn | null = null;
  for (const r of rows) {
    if (r.data === null) decodedTo = r.end_lsn === null ? null : parseLsn(r.end_lsn);
    else candidates.push({ lsn: parseLsn(r.lsn!), xid: Number(r.xid), n: r.n!, endLsn: parseLsn(r.end_lsn!), line: r.data });
  }
  return { candidates, decodedTo };
}
