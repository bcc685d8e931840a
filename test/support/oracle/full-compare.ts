// Row-by-row comparison of one table: every PostgreSQL row (through the type mapping) against every Convex
// document, matched by keyString of their primary key (as the mirror identifies rows). Derived fields are
// excluded here; they are checked against their definitions in derived-check.ts.
import type pg from "pg";
import type { Value } from "convex/values";
import type { TableDef } from "../../../src/definitions/types";
import type { MirrorReader } from "../../../src/convex-client/mirror-reader";
import { decodeText } from "../../../src/decode";
import { keyOfDoc, keyString } from "../../../src/model/key";
import { keyset, readText } from "../../../src/postgres";
import { canonical } from "./canonical";

export interface RowDiff {
  table: string;
  key: string;
  kind: "missing" | "extra" | "mismatch";
  columns?: string[];
}

export async function pgRows(client: pg.ClientBase, table: TableDef): Promise<Map<string, Record<string, Value>>> {
  // One statement for the whole table: one snapshot, however many rows (the oracle reads small test tables).
  const rows = await readText(client, keyset(table, { columnNames: "name" }).page([], null));
  const out = new Map<string, Record<string, Value>>();
  for (const r of rows) {
    const row: Record<string, Value> = {};
    for (const c of table.columns) row[c.name] = decodeText(c, r[c.name] ?? null);
    out.set(keyString(keyOfDoc(table, row)), row);
  }
  return out;
}

export async function convexRows(reader: MirrorReader, table: TableDef): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for await (const doc of reader.allRows(table.convexName)) out.set(keyString(keyOfDoc(table, doc as Record<string, Value>)), doc);
  return out;
}

export function diffRows(table: TableDef, expected: Map<string, Record<string, Value>>, actual: Map<string, Record<string, unknown>>): RowDiff[] {
  const derived = new Set(table.derived.map((d) => d.field));
  const diffs: RowDiff[] = [];
  for (const [key, row] of expected) {
    const doc = actual.get(key);
    if (!doc) {
      diffs.push({ table: table.name, key, kind: "missing" });
      continue;
    }
    const columns = table.columns.filter((c) => !derived.has(c.name) && canonical(row[c.name]) !== canonical(doc[c.name] as Value)).map((c) => c.name);
    if (columns.length > 0) diffs.push({ table: table.name, key, kind: "mismatch", columns });
  }
  for (const key of actual.keys()) if (!expected.has(key)) diffs.push({ table: table.name, key, kind: "extra" });
  return diffs;
}
