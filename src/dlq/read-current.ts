// A dead letter's row as PostgreSQL holds it now, and the version to stamp it with: the same idea as the
// backfill (every copied row carries the WAL position S its read is consistent with, and the stream's
// changes after S win by version) and the re-sync (a chunk is stamped with its high watermark), for one row
// read outside the stream. The text is read with readText (the backfill's text-exact path).
//
// Why the version V is safe while `pg2convex run` streams (versions are commit-record LSNs, wal2json "lsn"):
//  1. L = pg_current_wal_insert_lsn(), then V = L - 1. Every commit record inserted before that call starts
//     below V (a record is longer than one byte); every later one starts at L or above. So a transaction
//     has version ≤ V exactly when its commit record was written before step 1.
//  2. pg_current_snapshot() afterwards lists the transactions still in progress (xip). A transaction whose
//     commit record precedes L has either finished by then or is in xip (a commit becomes visible only after
//     its record is written); we wait until every xid in xip has finished.
//  3. The row is then read by its key in a fresh statement (READ COMMITTED): its snapshot sees every
//     transaction with version ≤ V, and perhaps some with version > V.
// So if no change of this row has a version above V, the text read is PostgreSQL's current row, and
// stamping it V makes the mirror hold it. If one has, the stream applies it at its own, higher version and
// it wins over the replay whichever reaches Convex first (the version rule: apply iff strictly newer), so the
// replay can never leave an older row in place of a newer one. A row absent in step 3 is a delete at V.
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import type { TableDef } from "../definitions/types";
import { keyColumnTypes, keyset, readText } from "../postgres";
import { formatLsn, parseLsn, type Lsn } from "../model/lsn";

export interface CurrentRow {
  /** Every column's text named by column (the backfill's shape, for toChange), null when the row is gone. */
  row: Record<string, string | null> | null;
  ver: Lsn;
}

/** Reads the row of `table` whose key has PostgreSQL text `keyText`, stamped as explained above. */
export async function readCurrent(client: pg.ClientBase, table: TableDef, keyText: readonly string[], opts: { waitMs: number }): Promise<CurrentRow> {
  const lsn = parseLsn((await client.query("SELECT pg_current_wal_insert_lsn()::text AS l")).rows[0].l as string);
  const snap = (await client.query("SELECT pg_current_snapshot()::text AS s")).rows[0].s as string;
  await waitFinished(client, inProgress(snap), opts.waitMs, table, lsn);
  const ks = keyset(table, { columnNames: "name", keyTypes: await keyColumnTypes(client, table) });
  const rows = await readText(client, ks.page([`(${ks.keyRefs.join(", ")}) = (${ks.params(1).join(", ")})`], "2"), [...keyText]);
  return { row: rows[0] ?? null, ver: lsn - 1n };
}

/** The xip list of a pg_current_snapshot() text (64-bit xids). */
export function inProgress(snapshot: string): string[] {
  return (snapshot.split(":")[2] ?? "").split(",").filter((x) => x !== "");
}

async function waitFinished(client: pg.ClientBase, xids: string[], waitMs: number, table: TableDef, lsn: Lsn): Promise<void> {
  const end = Date.now() + waitMs;
  let open = xids;
  while (open.length > 0) {
    const { rows } = await client.query("SELECT x::text AS x FROM unnest($1::text[]) AS u(x) WHERE pg_xact_status(x::xid8) = 'in progress'", [open]);
    open = (rows as Array<{ x: string }>).map((r) => r.x);
    if (open.length === 0) return;
    if (Date.now() > end) {
      throw new Pg2ConvexError("DEAD_LETTER_REPLAY_FAILED", `PostgreSQL transaction(s) ${open.join(", ")} stayed open for ${waitMs} ms; one of them may have written the row`, {
        context: { table: table.name, lsn: formatLsn(lsn) },
        fix: "let the transactions finish (pg_stat_activity shows them by backend_xid), or raise --wait, then replay again",
        retryable: true,
      });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
