// SQL that reads the live version of rows by primary key, for special-floats.ts: the keys travel as text
// arrays and are cast on the parameter side, so the primary-key index stays usable.
import type { Value } from "convex/values";
import type { ColumnDef, PgScalarType, TableDef } from "../tables/types";

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** SQL types a key column's text parameter is cast to; enum keys compare as text instead. */
const KEY_CASTS: Partial<Record<PgScalarType, string>> = {
  int2: "int2",
  int4: "int4",
  int8: "int8",
  float4: "float4",
  float8: "float8",
  numeric: "numeric",
  text: "text",
  uuid: "uuid",
  bool: "bool",
  date: "date",
};

/**
 * PostgreSQL input text for a decoded key value, or undefined for key types we do not map back
 * (timestamps, bytea, json, arrays): rows with such keys are left unresolved.
 */
export function keyParam(column: ColumnDef, value: Value): string | undefined {
  if (column.array || (column.type !== "enum" && KEY_CASTS[column.type] === undefined)) return undefined;
  if (typeof value === "number" || typeof value === "bigint") return String(value); // shortest round-trip text
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return value;
  return undefined;
}

/**
 * One query for many keys: `$1..$n` are text arrays (one per key column, aligned), `k.pg2c_i` the 1-based
 * position of the key, `xmin` the live tuple's inserting transaction, `c<j>` the text of `columns[j]`.
 */
export function liveRowsSql(def: TableDef, keyColumns: readonly ColumnDef[], columns: readonly string[]): string {
  const params = keyColumns.map((_, j) => `$${j + 1}::text[]`).join(", ");
  const names = keyColumns.map((_, j) => `k${j}`).join(", ");
  const join = keyColumns
    .map((c, j) => (c.type === "enum" ? `t.${quoteIdent(c.name)}::text = k.k${j}` : `t.${quoteIdent(c.name)} = k.k${j}::${KEY_CASTS[c.type]}`))
    .join(" AND ");
  const cols = columns.map((c, j) => `, t.${quoteIdent(c)}::text AS c${j}`).join("");
  return (
    `SELECT k.pg2c_i::int AS pg2c_i, t.xmin::text AS pg2c_xmin${cols} ` +
    `FROM unnest(${params}) WITH ORDINALITY AS k(${names}, pg2c_i) ` +
    `JOIN ${quoteIdent(def.schema)}.${quoteIdent(def.name)} AS t ON ${join}`
  );
}
