// Declared columns against the real ones: present, same type (domains resolved to their base type;
// varchar and bpchar count as text; any other type is pgtext, and a pgtext declaration must name the column's
// type as format_type prints it, its domain or the domain's base type), same enum labels in the same order, and
// nullability. A declared
// NOT NULL column that PostgreSQL lets be NULL is a failure (the Convex validator would reject rows);
// the reverse only costs precision, so it is a warning.
import type { ColumnDef, TableDef } from "../../definitions/types";
import { displayName, qualified, quoteIdent } from "../ident";
import type { Catalog, ColumnFacts, RelationFacts, TypeFacts } from "./catalog";
import { fail, pass, warn, type CheckResult } from "./report";

const TEXT_LIKE = new Set(["text", "varchar", "bpchar"]);
const SCALARS = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "bool", "timestamptz", "timestamp", "date", "uuid", "jsonb", "json", "bytea"]);

/**
 * A real column type in the vocabulary of ColumnDef (null only when the catalog lacks the type). Every type
 * without a native mapping is `pgtext`.
 */
export interface ResolvedType {
  readonly type: ColumnDef["type"] | null;
  readonly array: boolean;
  readonly enumType?: TypeFacts;
  /** The (element) type names a pgtext declaration may give: the type itself, then each domain's base. */
  readonly names: readonly string[];
}

/** `display` is format_type(type, typmod) of the column, so typmods ("character(5)") are part of the names. */
export function resolveType(types: Catalog["types"], oid: number, display?: string): ResolvedType {
  let t = types.get(oid);
  const names: string[] = display !== undefined ? [display] : t ? [t.display] : [];
  while (t && t.kind === "d") {
    if (t.baseDisplay) names.push(t.baseDisplay);
    t = types.get(t.base);
  }
  if (!t) return { type: null, array: false, names };
  // A true array type is its element's typarray; int2vector and oidvector have an element but print "1 2 3".
  if (t.category === "A" && t.elem !== 0 && types.get(t.elem)?.arrayType === t.oid) {
    // Element names: the column's own "x[]" without its brackets (keeps the typmod), then the element's domains.
    const own = names.filter((n) => n.endsWith("[]")).map((n) => n.slice(0, -2));
    const elem = resolveType(types, t.elem, own[0]);
    return elem.array ? { type: "pgtext", array: true, names: [...own, ...elem.names] } : { ...elem, array: true, names: [...new Set([...own, ...elem.names])] };
  }
  if (t.kind === "e") return { type: "enum", array: false, enumType: t, names };
  if (t.schema !== "pg_catalog") return { type: "pgtext", array: false, names };
  if (TEXT_LIKE.has(t.name)) return { type: "text", array: false, names };
  return { type: SCALARS.has(t.name) ? (t.name as ColumnDef["type"]) : "pgtext", array: false, names };
}

// SQL's other spellings of built-in types, to format_type's (a typmod after the name is kept: char(5)).
const ALIASES: Readonly<Record<string, string>> = {
  int: "integer",
  int4: "integer",
  int2: "smallint",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  varchar: "character varying",
  char: "character",
  bpchar: "character",
  varbit: "bit varying",
  decimal: "numeric",
  time: "time without time zone",
  timetz: "time with time zone",
  timestamp: "timestamp without time zone",
  timestamptz: "timestamp with time zone",
};

/** format_type spellings compare case- and space-insensitively, with or without pg_catalog./public., aliases resolved. */
function normalType(s: string): string {
  const t = s
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^(pg_catalog|public)\./, "");
  const m = /^([a-z0-9_]+)(\s*\(.*\))?(\[\])?$/.exec(t);
  if (!m) return t;
  return `${ALIASES[m[1]!] ?? m[1]}${(m[2] ?? "").replace(/\s+/g, "")}${m[3] ?? ""}`;
}

/** A pgtext declaration names the real type: at element level, or (not declared an array) the whole type. */
function pgTextMatches(c: ColumnDef, real: ColumnFacts, r: ResolvedType): boolean {
  const declared = normalType(c.pgType ?? "");
  if ((c.array ?? false) === r.array && r.names.some((n) => normalType(n) === declared)) return true;
  return !c.array && normalType(real.display) === declared;
}

/** What to declare for a real column: its native builder, or pgText with format_type's spelling. */
function suggest(r: ResolvedType): string {
  if (r.type === "enum") return `col.enum(${JSON.stringify(r.enumType?.labels ?? [])})`;
  if (r.type === "pgtext") return `col.pgText(${JSON.stringify(r.names[0] ?? "text")})`;
  return `col.${r.type}()`;
}

const describe = (c: Pick<ColumnDef, "type" | "array" | "pgType">) => `${c.type === "pgtext" ? `pgtext(${c.pgType ?? "?"})` : c.type}${c.array ? "[]" : ""}`;

export function columnChecks(t: TableDef, rel: RelationFacts, types: Catalog["types"]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const c of t.columns) {
    const real = rel.columns.get(c.name);
    const s = `${displayName(t)}.${c.name}`;
    if (!real) {
      out.push(fail("column_exists", s, `column ${c.name} does not exist in ${displayName(t)}`, `remove ${c.name} from the definition of ${t.name}, or ALTER TABLE ${qualified(t)} ADD COLUMN ${quoteIdent(c.name)} …;`));
      continue;
    }
    out.push(...typeCheck(t, c, real, resolveType(types, real.typeOid, real.display), s), ...nullCheck(t, c, real, s));
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
    return [fail("column_type", s, `${s} has type ${real.display}, which is not in the catalog`, `remove ${c.name} from the definition of ${t.name}`)];
  }
  // Any column may be mirrored as its text output, whatever its type.
  if (c.type === "pgtext") {
    if (pgTextMatches(c, real, r)) return [pass("column_type", s, describe(c))];
    return [fail("column_type", s, `${s} is declared ${describe(c)} but is ${real.display} in PostgreSQL`, `declare ${c.name}: col.pgText(${JSON.stringify(r.names[0] ?? real.display)})${r.array ? ".asArray()" : ""} in the definition of ${t.name}`)];
  }
  if (r.type !== c.type || r.array !== (c.array ?? false)) {
    return [fail("column_type", s, `${s} is declared ${describe(c)} but is ${real.display} in PostgreSQL`, `declare ${c.name}: ${suggest(r)}${r.array ? ".asArray()" : ""} in the definition of ${t.name}`)];
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

/** The definition that mirrors a real column as it is (native where exact, else pgtext): for generators and tests. */
export function declaredColumn(real: ColumnFacts, r: ResolvedType): ColumnDef {
  const type = r.type ?? "pgtext";
  return {
    name: real.name,
    type,
    nullable: !real.notNull,
    ...(r.array ? { array: true } : {}),
    ...(type === "enum" ? { enumValues: r.enumType?.labels ?? [] } : {}),
    ...(type === "pgtext" ? { pgType: r.names[0] ?? real.display } : {}),
  };
}
