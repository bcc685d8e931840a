// How many rows a table holds: the planner's estimate (cheap, for progress and sampling) or an exact count.
import type pg from "pg";
import type { TableDef } from "../definitions/types";
import { qualified } from "./ident";

/** pg_class.reltuples: -1 when the table was never vacuumed or analyzed (PostgreSQL 14 and later). */
export async function plannerRowEstimate(client: pg.ClientBase, table: TableDef): Promise<number> {
  const { rows } = await client.query("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = $1::regclass", [qualified(table)]);
  return Number(rows[0]?.n ?? -1);
}

export async function countRows(client: pg.ClientBase, table: TableDef): Promise<number> {
  const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM ${qualified(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/** The planner's estimate, or the exact count when there is none yet. */
export async function estimateRows(client: pg.ClientBase, table: TableDef): Promise<number> {
  const n = await plannerRowEstimate(client, table);
  return n >= 0 ? n : countRows(client, table);
}

/**
 * The mirrored tables that no longer exist in PostgreSQL (dropped or renamed while mirrored), so `status` and
 * `parity` can say so instead of failing with "relation … does not exist".
 */
export async function missingTables(client: pg.ClientBase, tables: readonly TableDef[]): Promise<TableDef[]> {
  const { rows } = await client.query("SELECT d.i FROM unnest($1::text[]) WITH ORDINALITY d(name, i) WHERE to_regclass(d.name) IS NULL", [tables.map((t) => qualified(t))]);
  return rows.map((r) => tables[Number(r.i) - 1]!);
}
