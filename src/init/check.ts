// `pg2convex init --check`: the definitions module against what init would write from the database now.
// Compared: tables, primary keys, columns (type, array, nullability, enum labels), references (parent and
// ordering) and excluded columns. Derived fields are hand-written, not in the database, so never compared.
// Invariant: an empty result means init would declare exactly the tables the module declares.
import type { ColumnDef, TableDef, TableSet } from "../definitions/types";
import type { InitPlan, PlannedColumn, PlannedTable } from "./plan";
import { columnExpr } from "./render";

const asPlanned = (c: ColumnDef): PlannedColumn => ({
  name: c.name,
  type: c.type,
  array: c.array ?? false,
  nullable: c.nullable,
  ...(c.enumValues ? { enumValues: c.enumValues } : {}),
  ...(c.pgType !== undefined ? { pgType: c.pgType } : {}),
  notes: [],
});
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const fmt = (xs: readonly string[]) => `(${xs.join(", ")})`;

export function diffDefinitions(declared: TableSet, plan: InitPlan): string[] {
  const out: string[] = [];
  const want = new Map(plan.tables.map((t) => [t.name, t]));
  const have = new Map(declared.map((t) => [t.name, t]));
  for (const t of plan.tables) if (!have.has(t.name)) out.push(`table ${t.name}: in PostgreSQL, not in the definitions`);
  for (const t of declared) {
    const w = want.get(t.name);
    if (!w) out.push(`table ${t.name}: in the definitions, not in PostgreSQL (dropped, renamed, excluded or without a primary key)`);
    else out.push(...diffTable(t, w));
  }
  return out;
}

function diffTable(d: TableDef, w: PlannedTable): string[] {
  const out: string[] = [];
  const s = d.name;
  if (!same(d.primaryKey, w.primaryKey)) out.push(`${s}: primary key ${fmt(d.primaryKey)} in the definitions, ${fmt(w.primaryKey)} in PostgreSQL`);
  const want = new Map(w.columns.map((c) => [c.name, c]));
  const have = new Map(d.columns.map((c) => [c.name, c]));
  for (const c of w.columns) if (!have.has(c.name)) out.push(`${s}.${c.name}: column added in PostgreSQL (${columnExpr(c)})`);
  for (const c of d.columns) {
    const wc = want.get(c.name);
    if (!wc) {
      out.push(`${s}.${c.name}: column in the definitions, not in PostgreSQL (dropped or renamed)`);
      continue;
    }
    const hc = asPlanned(c);
    if (hc.type === "enum" && wc.type === "enum" && hc.array === wc.array && !same(hc.enumValues ?? [], wc.enumValues ?? [])) {
      const added = (wc.enumValues ?? []).filter((l) => !(hc.enumValues ?? []).includes(l));
      const removed = (hc.enumValues ?? []).filter((l) => !(wc.enumValues ?? []).includes(l));
      const what = [added.length ? `added ${added.map((l) => JSON.stringify(l)).join(", ")}` : "", removed.length ? `removed ${removed.map((l) => JSON.stringify(l)).join(", ")}` : "", !added.length && !removed.length ? "reordered" : ""].filter(
        Boolean,
      );
      out.push(`${s}.${c.name}: enum labels ${what.join("; ")} (PostgreSQL: ${JSON.stringify(wc.enumValues)})`);
    }
    const [a, b] = [columnExpr({ ...hc, enumValues: [] }), columnExpr({ ...wc, enumValues: [] })];
    if (a !== b) out.push(`${s}.${c.name}: ${columnExpr(hc)} in the definitions, ${columnExpr(wc)} in PostgreSQL`);
  }
  if (!same([...d.excluded].sort(), w.exclude)) out.push(`${s}: excluded columns ${fmt(d.excluded)} in the definitions, ${fmt(w.exclude)} from init's options`);
  const wantRefs = new Map(w.references.map((r) => [r.column, r]));
  const haveRefs = new Map(d.references.map((r) => [r.column, r]));
  for (const r of w.references) if (!haveRefs.has(r.column)) out.push(`${s}.${r.column}: foreign key to ${r.table} in PostgreSQL, not a declared reference`);
  for (const r of d.references) {
    const wr = wantRefs.get(r.column);
    if (!wr) out.push(`${s}.${r.column}: declared reference to ${r.table}, no such foreign key init would declare`);
    else if (wr.table !== r.table) out.push(`${s}.${r.column}: references ${r.table} in the definitions, ${wr.table} in PostgreSQL`);
    else if ((wr.field ?? `${r.column}_ref`) !== r.field) out.push(`${s}.${r.column}: reference field ${r.field} in the definitions, ${wr.field ?? `${r.column}_ref`} from init (a column took the name)`);
    else if (wr.ordering !== (r.ordering !== false)) out.push(`${s}.${r.column}: ordering ${r.ordering !== false} in the definitions, ${wr.ordering} from the foreign-key cycles now`);
  }
  return out;
}
