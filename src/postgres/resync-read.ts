// SQL of a re-sync (src/resync/): watermarks and chunk reads. Invariants:
//  - a watermark is a transactional logical message committed in its own transaction (autocommit statement),
//    so the stream sees it at its commit position, ordered with every other transaction;
//  - a chunk is read in one REPEATABLE READ snapshot whose first statement reports that snapshot
//    (pg_current_snapshot()), so the xip list returned is exactly the snapshot the rows were read in;
//  - rows are keyset-ordered by the key columns (keyset.ts), the cursor is the key as PostgreSQL text.
import type pg from "pg";
import type { TableDef } from "../definitions/types";
import { keyset } from "./keyset";

export async function emitWatermark(client: pg.ClientBase, prefix: string, content: string): Promise<void> {
  await client.query("SELECT pg_logical_emit_message(true, $1, $2)", [prefix, content]);
}

export interface ChunkRead {
  /** Rows named by column (`col::text`), each key column's text also as pg2c_k<i>. */
  rows: Record<string, string | null>[];
  /** Transactions in progress in the read's snapshot, as 32-bit xids (what wal2json prints). */
  xip: Set<number>;
  /** The key (text) of the last row, null when the chunk is empty. */
  last: string[] | null;
}

export async function readChunk(client: pg.ClientBase, table: TableDef, after: readonly string[] | null, limit: number): Promise<ChunkRead> {
  const pages = keyset(table, { columnNames: "name" });
  const n = table.primaryKey.length;
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const snap = await client.query("SELECT pg_current_snapshot()::text AS s");
    const res = after ? await client.query(pages.page([pages.compare(">", pages.params(1))], `$${n + 1}`), [...after, limit]) : await client.query(pages.page([], "$1"), [limit]);
    await client.query("COMMIT");
    const rows = res.rows as Record<string, string | null>[];
    return { rows, xip: parseXip(snap.rows[0].s as string), last: rows.length > 0 ? pages.keyText(rows[rows.length - 1]!) : null };
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/** `xmin:xmax:xip,…` (xid8, epoch included) → the xip list as 32-bit xids. */
export function parseXip(snapshot: string): Set<number> {
  const list = snapshot.split(":")[2] ?? "";
  return new Set(
    list
      .split(",")
      .filter((x) => x !== "")
      .map((x) => Number(BigInt(x) % 4294967296n)),
  );
}
