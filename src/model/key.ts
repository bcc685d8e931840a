// Primary keys: the one `Key` type, its canonical string, the ids that join a table (and a column) to it,
// the key of a stored document, and the form people read in logs and `status`.
// Pure, no Node imports: the Convex functions (src/mirror-functions, bundled by Convex) import it too.
import { compareValues, convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import type { TableDef } from "../definitions/types";

/** Primary-key values in the table's primary-key column order, in their Convex representation. */
export type Key = readonly Value[];

/**
 * The canonical string of a key. Persisted: it is `key` in pg2c_tombstone and pg2c_carry and `keyString` in
 * pg2c_reject, and those tables' by_table_key indexes are looked up by it, so its bytes never change
 * (test/model/key.test.ts pins them). Equal keys give equal strings and different keys different ones:
 * convexToJson is deterministic (object fields sorted) and keeps 1 (float64) apart from 1n (int64), -0 from
 * 0 and bytes from strings.
 */
export function keyString(key: Key): string {
  // The common one-integer key without the map and convexToJson: the same bytes JSON.stringify gives.
  if (key.length === 1 && isPlainInt(key[0])) return `[${key[0]}]`;
  return JSON.stringify(key.map((v) => convexToJson(v)));
}

/** A safe integer other than -0: printed by JSON as String(v), compared by Convex as by `<`. */
const isPlainInt = (v: Value | undefined): v is number => typeof v === "number" && Number.isSafeInteger(v) && !Object.is(v, -0);

// NUL cannot occur in a PostgreSQL identifier, so no table or column name contains the separator and the
// parts of an id cannot run into each other.
const SEP = "\u0000";

/** Id of one row of `table` (in-memory maps and sets only: never stored). */
export const rowId = (table: string, key: Key): string => rowIdOfString(table, keyString(key));

/** rowId for a key already held as its keyString (as the system tables store it). */
export const rowIdOfString = (table: string, keyString: string): string => `${table}${SEP}${keyString}`;

/** Id of the rows that point at row `key` of `parent` through column `via` (aggregate contributions). */
export const viaId = (parent: string, via: string, key: Key): string => `${parent}${SEP}${via}${SEP}${keyString(key)}`;

/** Keys in Convex's order (the order of the by_pk index), which parity ranges follow. */
export function compareKeys(a: Key, b: Key): number {
  // One integer each (number or bigint, same type): Convex's order is theirs, without its comparable tuples.
  if (a.length === 1 && b.length === 1) {
    const x = a[0];
    const y = b[0];
    if ((isPlainInt(x) && isPlainInt(y)) || (typeof x === "bigint" && typeof y === "bigint")) return x < y ? -1 : x === y ? 0 : 1;
  }
  return compareValues(a as Value[], b as Value[]);
}

/** The primary key of a stored document (a missing field counts as null). */
export function keyOfDoc(def: TableDef, doc: Readonly<Record<string, Value | undefined>>): Value[] {
  return def.primaryKey.map((c) => doc[c] ?? null);
}

/**
 * A key as people read it in logs and `status`: `900012`, `"fr"`, `(3, "a")`. int8 values print as their
 * decimal digits (not Convex's `{"$integer": …}` wire form), bytes as \x-hex like PostgreSQL. Not an
 * identity: 1 and 1n print alike; use keyString to compare.
 */
export function formatKey(key: readonly unknown[]): string {
  const parts = key.map(formatValue);
  return parts.length === 1 ? parts[0]! : `(${parts.join(", ")})`;
}

/** One value as people read it: bigint as decimal digits, bytes as \\x-hex, -0/NaN/±Infinity by name, strings quoted. */
export function formatValue(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof ArrayBuffer) return `\\x${[...new Uint8Array(v)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (typeof v === "object")
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}: ${formatValue(x)}`)
      .join(", ")}}`;
  return String(v);
}

/**
 * A value in Convex's JSON form (reports, keyString) as people read it: `{"$integer": …}` as decimal digits,
 * `{"$bytes": …}` as \\x-hex, `{"$float": …}` as NaN/Infinity/-0. Text that is not valid Convex JSON is shown as JSON.
 */
export function formatJsonValue(j: unknown): string {
  try {
    return formatValue(jsonToConvex(j as JSONValue));
  } catch {
    return JSON.stringify(j);
  }
}
