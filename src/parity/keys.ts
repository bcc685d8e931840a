// Primary keys on both sides. A key is its Convex values (decodeText of PostgreSQL's text, the one type
// mapping; Key, keyString and compareKeys are src/model/key.ts); PostgreSQL reads take the text form back.
// Ranges are compared in Convex's order (compareKeys); PostgreSQL scans use COLLATE "C" for text keys,
// which orders by code point exactly as Convex orders strings (UTF-8 bytes).
import type { Value } from "convex/values";
import { Pg2ConvexError } from "../errors";
import type { Key } from "../model/key";
import type { ColumnDef, TableDef } from "../definitions/types";
import { quoteIdent } from "../postgres";

/** A range boundary: the key's Convex values and PostgreSQL text (null where no text form exists). */
export interface Bound {
  v: Key;
  t: string[] | null;
}

/** [lo, hi): lo inclusive, hi exclusive, null = unbounded. */
export interface KeyRange {
  lo: Bound | null;
  hi: Bound | null;
}

const KEY_TYPES = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "text", "bool", "timestamptz", "timestamp", "date", "uuid", "enum"]);

export function keyColumns(def: TableDef): ColumnDef[] {
  return def.primaryKey.map((k) => def.columns.find((c) => c.name === k)!);
}

/** Parity queries PostgreSQL by key: bytea, json and array keys have no usable text round trip. */
export function assertKeyTypesSupported(def: TableDef): void {
  const bad = keyColumns(def).filter((c) => c.array || !KEY_TYPES.has(c.type));
  if (bad.length === 0) return;
  throw new Pg2ConvexError("CONFIG_INVALID", `parity cannot check ${def.name}: primary-key column(s) ${bad.map((c) => `${c.name} (${c.type}${c.array ? "[]" : ""})`).join(", ")} have no comparable text form`, {
    context: { table: def.name },
    fix: "leave this table out with --tables",
  });
}

/** SQL for one key column, collated like Convex orders it. */
export const keySql = (c: ColumnDef, expr: string = quoteIdent(c.name)): string => (c.type === "text" ? `${expr} COLLATE "C"` : expr);

/** PostgreSQL text of a Convex key value (inverse of decodeText for key types), null when there is none. */
export function pgText(c: ColumnDef, v: Value): string | null {
  if (v === null) return null;
  switch (c.type) {
    case "int2":
    case "int4":
    case "int8":
      return typeof v === "number" || typeof v === "bigint" ? String(v) : null;
    case "float4":
    case "float8":
      return typeof v === "number" ? (Object.is(v, -0) ? "-0" : String(v)) : null;
    case "bool":
      return typeof v === "boolean" ? String(v) : null;
    case "timestamptz":
    case "timestamp":
      return typeof v === "number" ? timestampText(v, c.type === "timestamptz") : null;
    default:
      return typeof v === "string" ? v : null;
  }
}

export function pgTextOfKey(def: TableDef, key: Key): string[] | null {
  const out: string[] = [];
  for (const [i, c] of keyColumns(def).entries()) {
    const t = pgText(c, key[i] ?? null);
    if (t === null) return null;
    out.push(t);
  }
  return out;
}

/** ms since the epoch (µs as the fraction) → ISO text PostgreSQL parses back to the same microsecond. */
function timestampText(ms: number, tz: boolean): string | null {
  if (ms === Infinity) return "infinity";
  if (ms === -Infinity) return "-infinity";
  const us = Math.round(ms * 1000);
  if (!Number.isSafeInteger(us)) return null;
  const wholeMs = Math.floor(us / 1000);
  const iso = new Date(wholeMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0000-9999
  if (!/^\d{4}-/.test(iso) || iso.startsWith("0000")) return null;
  const micro = String(us - wholeMs * 1000).padStart(3, "0");
  return `${iso.slice(0, 23)}${micro}${tz ? "+00" : ""}`;
}

export const boundOf = (def: TableDef, key: Key): Bound => ({ v: key, t: pgTextOfKey(def, key) });
