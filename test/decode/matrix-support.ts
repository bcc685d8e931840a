// The type matrix's plumbing: a table's definition read from the catalog the way setup reads it, and its rows
// through both paths — the stream (wal2json through a real slot, decoded) and the backfill (the keyset reader,
// decodeText) — plus each value's own output text as the oracle (format('%s', col) calls the output function).
import type { Value } from "convex/values";
import { createDecoder } from "../../src/decode";
import { decodeText } from "../../src/decode";
import type { TableDef } from "../../src/definitions/types";
import { keyset, readText } from "../../src/postgres";
import { loadCatalog } from "../../src/postgres/checks/catalog";
import { columnChecks, declaredColumn, resolveType } from "../../src/postgres/checks/columns";
import type { CheckResult } from "../../src/postgres/checks/report";
import { quoteIdent } from "../../src/postgres/ident";
import type { SourceDb } from "./support";

/** The definition setup would accept for `name` (every column as declaredColumn maps it) and setup's verdict. */
export async function definitionFromCatalog(src: SourceDb, name: string, primaryKey: string[]): Promise<{ def: TableDef; checks: CheckResult[] }> {
  const probe: TableDef = { schema: "public", name, convexName: name, primaryKey, columns: [], references: [], derived: [], excluded: [] };
  const catalog = await loadCatalog(src.client, [probe]);
  const rel = catalog.relations.get(`public.${name}`)!;
  const columns = [...rel.columns.values()].map((c) => declaredColumn(c, resolveType(catalog.types, c.typeOid, c.display)));
  const def = { ...probe, columns };
  return { def, checks: columnChecks(def, rel, catalog.types) };
}

export interface BothPaths {
  /** Per row (in key order): column → Convex value. */
  stream: Record<string, Value>[];
  backfill: Record<string, Value>[];
}

/** Rows inserted since the slot was last drained, decoded from the stream, and the table read by the backfill. */
export async function readBothPaths(src: SourceDb, def: TableDef): Promise<BothPaths> {
  const decoder = createDecoder([def]);
  const stream: Record<string, Value>[] = [];
  for (const m of await src.changes()) {
    const e = decoder.decode(m);
    if (e.type === "change" && e.change.kind === "insert") stream.push(e.change.row as Record<string, Value>);
  }
  const rows = await readText(src.client, keyset(def, { columnNames: "name" }).page([], null));
  const backfill = rows.map((r) => Object.fromEntries(def.columns.map((c) => [c.name, decodeText(c, r[c.name] ?? null)])));
  return { stream, backfill };
}

/** Each column's output-function text per row, in key order (the oracle for pgtext columns). */
export async function outputTexts(src: SourceDb, def: TableDef, key: string): Promise<Record<string, string | null>[]> {
  const list = def.columns.map((c) => `format('%s', ${quoteIdent(c.name)}) AS ${quoteIdent(c.name)}`).join(", ");
  const rows = await src.sql(`SELECT ${list} FROM ${quoteIdent(def.name)} ORDER BY ${quoteIdent(key)}`);
  // format('%s', NULL) is '': give SQL NULL back as null.
  const nulls = await src.sql(`SELECT ${def.columns.map((c) => `${quoteIdent(c.name)} IS NULL AS ${quoteIdent(c.name)}`).join(", ")} FROM ${quoteIdent(def.name)} ORDER BY ${quoteIdent(key)}`);
  return rows.map((r, i) => Object.fromEntries(def.columns.map((c) => [c.name, nulls[i][c.name] ? null : (r[c.name] as string)])));
}
