// Declared columns against the real ones: present, same type (domains resolved to their base type;
// varchar and bpchar count as text), same enum labels in the same order, and nullability. A declared
// NOT NULL column that PostgreSQL lets be NULL is a failure (the Convex validator would reject rows);
// the reverse only costs precision, so it is a warning.
import type { ColumnDef, TableDef } from "../../definitions/types";
import { displayName, qualified, quoteIdent } from "../ident";
import type { Catalog, ColumnFacts, RelationFacts, TypeFacts } from "./catalog";
import { fail, pass, warn, type CheckResult } from "./report";

const TEXT_LIKE = new Set(["text", "varchar", "bpchar"]);
const SCALARS = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "bool", "timestamptz", "timestamp", "date", "uuid", "jsonb", "json", "bytea"]);

/** A real column type in the vocabulary of ColumnDef, or null when the mirror has no mapping for it. */
export interface ResolvedType {
  readonly type: ColumnDef["type"] | null;
  readonly array: boolean;
  readonly enumType?: TypeFacts;
}

export function resolveType(types: Catalog["types"], oid: number): ResolvedType {
  let t = types.get(oid);
  while (t && t.kind === "d") t = types.get(t.base);
  if (!t) return { type: null, array: false };
  if (t.category === "A" && t.elem !== 0) {
    const elem = resolveType(types, t.elem);
    return elem.array ? { type: null, array: true } : { ...elem, array: true };
  }
  if (t.kind === "e") return { type: "enum", array: false, enumType: t };
  if (t.schema !== "pg_catalog") return { type: null, array: false };
  if (TEXT_LIKE.has(t.name)) return { type: "text", array: false };
  return { type: SCALARS.has(t.name) ? (t.name as ColumnDef["type"]) : null, array: false };
}

const describe = (c: Pick<ColumnDef, "type" | "array">) => `${c.type}${c.array ? "[]" : ""}`;

export function columnChecks(t: TableDef, rel: RelationFacts, types: Catalog["types"]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const c of t.columns) {
    const real = rel.columns.get(c.name);
    const s = `${displayName(t)}.${c.name}`;
    if (!real) {
      out.push(fail("column_exists", s, `column ${c.name} does not exist in ${displayName(t)}`, `remove ${c.name} from the definition of ${t.name}, or ALTER TABLE ${qualified(t)} ADD COLUMN ${quoteIdent(c.name)} …;`));
      continue;
    }
    out.push(...typeCheck(t, c, real, resolveType(types, real.typeOid), s), ...nullCheck(t, c, real, s));
  }
  out.push(...undeclaredColumns(t, rel));
  const problems = out.filter((r) => r.level !== "pass");
  return problems.length > 0 ? problems : [pass("columns", displayName(t), `${t.columns.length} declared columns match`)];
}

/**
 * Every database column is declared or excluded on purpose. An undeclared column would otherwise be dropped from
 * every change without anyone deciding so (issue 12: a tsvector left out turned every UPDATE into a reject).
 */
export function undeclaredColumns(t: TableDef, rel: RelationFacts): CheckResult[] {
  const declared = new Set(t.columns.map((c) => c.name));
  const excluded = new Set(t.excluded ?? []);
  const out: CheckResult[] = [];
  for (const real of rel.columns.values()) {
    if (declared.has(real.name) || excluded.has(real.name)) continue;
    const s = `${displayName(t)}.${real.name}`;
    out.push(
      fail(
        "column_undeclared",
        s,
        `column ${real.name} (${real.display}) of ${displayName(t)} is not in the definition of ${t.name}`,
        `declare ${real.name} in the definition of ${t.name} (pg2convex init --check shows how), or add exclude: [${JSON.stringify(real.name)}] to mirror ${t.name} without it`,
      ),
    );
  }
  for (const x of excluded) {
    if (!rel.columns.has(x)) out.push(warn("column_excluded", `${displayName(t)}.${x}`, `excluded column ${x} does not exist in ${displayName(t)}`, `remove ${JSON.stringify(x)} from exclude in the definition of ${t.name}`));
  }
  return out;
}

function typeCheck(t: TableDef, c: ColumnDef, real: ColumnFacts, r: ResolvedType, s: string): CheckResult[] {
  if (r.type === null) {
    return [fail("column_type", s, `${s} has type ${real.display}, which pg2convex cannot mirror`, `remove ${c.name} from the definition of ${t.name}, or change the column to a supported type`)];
  }
  if (r.type !== c.type || r.array !== (c.array ?? false)) {
    const suggestion = r.type === "enum" ? `col.enum(${JSON.stringify(r.enumType?.labels ?? [])})` : `col.${r.type}()`;
    return [fail("column_type", s, `${s} is declared ${describe(c)} but is ${real.display} in PostgreSQL`, `declare ${c.name}: ${suggestion}${r.array ? ".asArray()" : ""} in the definition of ${t.name}`)];
  }
  if (r.type === "enum") {
    const labels = r.enumType?.labels ?? [];
    const declared = c.enumValues ?? [];
    if (labels.length !== declared.length || labels.some((l, i) => l !== declared[i])) {
      const missing = labels.filter((l) => !declared.includes(l));
      const extra = declared.filter((l) => !labels.includes(l));
      const detail = [missing.length ? `missing ${missing.join(", ")}` : "", extra.length ? `unknown ${extra.join(", ")}` : "", !missing.length && !extra.length ? "different order" : ""].filter(Boolean).join("; ");
      return [
        fail("enum_labels", s, `${s}: declared labels ${JSON.stringify(declared)} differ from enum ${r.enumType?.name} ${JSON.stringify(labels)} (${detail})`, `declare ${c.name}: col.enum(${JSON.stringify(labels)}) in the definition of ${t.name}`),
      ];
    }
  }
  return [pass("column_type", s, describe(c))];
}

function nullCheck(t: TableDef, c: ColumnDef, real: ColumnFacts, s: string): CheckResult[] {
  if (!c.nullable && !real.notNull) {
    return [fail("column_nullability", s, `${s} is declared NOT NULL but PostgreSQL allows NULL`, `ALTER TABLE ${qualified(t)} ALTER COLUMN ${quoteIdent(c.name)} SET NOT NULL; or declare ${c.name} nullable (drop .notNull())`)];
  }
  if (c.nullable && real.notNull) {
    return [warn("column_nullability", s, `${s} is NOT NULL in PostgreSQL but declared nullable`, `add .notNull() to ${c.name} in the definition of ${t.name}`)];
  }
  return [pass("column_nullability", s, c.nullable ? "nullable" : "NOT NULL")];
}
