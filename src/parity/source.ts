// Source-side drift: PostgreSQL columns that hold the same values as derived fields (course.count,
// course.learning_language_name, …), checked against PostgreSQL's own rows in one SQL statement each.
// This is the application's bookkeeping, not the mirror's: it is reported apart and does not fail a run
// unless asked (--fail-on-source-drift).
import type pg from "pg";
import { decodeText } from "../decode";
import type { MirrorConfig } from "../mirror-functions/config";
import { qualified, quoteIdent, readText } from "../postgres";
import type { DerivedDef, TableDef } from "../definitions/types";
import { keyColumns } from "./keys";
import type { SourceDrift, TableReport } from "./report";
import { formatKey } from "../model/key";
import { keyJson } from "./values";

const LIMIT = 200;

export async function sourceDrift(client: pg.ClientBase, config: MirrorConfig, def: TableDef): Promise<TableReport["source"]> {
  const out: TableReport["source"] = { checked: 0, drift: [], driftTotal: 0 };
  const columns = new Set(def.columns.map((c) => c.name));
  for (const d of def.derived) {
    if (!columns.has(d.field)) continue;
    const { sql, params } = statement(config, def, d);
    // readText: the key columns as their output functions print them (what the decoder reads everywhere).
    const rows = await readText(client, sql, params);
    out.checked++;
    out.driftTotal += Number(rows[0]?.pg2c_total ?? 0);
    for (const r of rows) {
      const key = keyColumns(def).map((c, i) => decodeText(c, r[`k${i}`] as string));
      out.drift.push({ field: d.field, definition: describe(d), key: keyJson(key), keyText: formatKey(key), stored: r.stored ?? null, expected: r.expected ?? null } satisfies SourceDrift);
    }
  }
  return out;
}

function statement(config: MirrorConfig, def: TableDef, d: DerivedDef): { sql: string; params: unknown[] } {
  const keys = keyColumns(def)
    .map((c, i) => `p.${quoteIdent(c.name)} AS k${i}`)
    .join(", ");
  const field = `p.${quoteIdent(d.field)}`;
  if (d.kind === "lookup") {
    const ref = def.references.find((r) => r.column === d.via)!;
    const parent = config.table(ref.table).def;
    const pk = quoteIdent(parent.primaryKey[0]!);
    const expected = `q.${quoteIdent(d.column)}`;
    return {
      sql: `SELECT ${keys}, ${field}::text AS stored, ${expected}::text AS expected, count(*) OVER () AS pg2c_total
        FROM ${qualified(def)} p LEFT JOIN ${qualified(parent)} q ON q.${pk} = p.${quoteIdent(d.via)}
        WHERE ${field} IS DISTINCT FROM ${expected} LIMIT ${LIMIT}`,
      params: [],
    };
  }
  const child = config.table(d.from).def;
  const params: unknown[] = [];
  const where = d.kind === "count" ? Object.entries(d.where ?? {}).map(([c, v]) => (params.push(v === null ? null : String(v)), `c.${quoteIdent(c)} IS NOT DISTINCT FROM $${params.length}`)) : [];
  const agg = d.kind === "count" ? "count(*)" : `sum(c.${quoteIdent(d.column)})`;
  const expected = `coalesce(a.n, 0)`;
  return {
    sql: `SELECT ${keys}, ${field}::text AS stored, ${expected}::text AS expected, count(*) OVER () AS pg2c_total
      FROM ${qualified(def)} p LEFT JOIN (SELECT c.${quoteIdent(d.via)} AS v, ${agg} AS n FROM ${qualified(child)} c ${where.length ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY 1) a
        ON a.v = p.${quoteIdent(def.primaryKey[0]!)}
      WHERE ${field} IS DISTINCT FROM ${expected} LIMIT ${LIMIT}`,
    params,
  };
}

export function describe(d: DerivedDef): string {
  if (d.kind === "lookup") return `lookup(${d.via} → ${d.column})`;
  if (d.kind === "sum") return `sum(${d.from}.${d.column} by ${d.via})`;
  const where = Object.entries(d.where ?? {}).map(([c, v]) => `${c}=${String(v)}`);
  return `count(${d.from} by ${d.via}${where.length ? ` where ${where.join(", ")}` : ""})`;
}
