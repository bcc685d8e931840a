// wal2json I/U/D records of a mirrored table → RowChange.
// Invariants: a column wal2json omitted (an unchanged TOASTed column of an UPDATE) stays `undefined` in the
// Row, never null; keys come from the new row (insert/update) or "identity" (delete, and the old key of an
// update); float/numeric columns that arrived as JSON null are listed in ambiguousNulls unless wal2json
// sends numbers as strings (then NaN/±Infinity arrive as text and null is always SQL NULL).
import type { Value } from "convex/values";
import type { RowChange, Row } from "../model/changes";
import type { Lsn } from "../model/lsn";
import type { ColumnDef } from "../definitions/types";
import { decodeFailed, withContext } from "./failure";
import type { RawColumn, Wal2jsonRecord } from "./record";
import type { MirroredTable } from "./table-index";
import { decodeWal2jsonValue } from "./values";

export interface RowOptions {
  readonly numericAsString: boolean;
}

const AMBIGUOUS_TYPES = new Set(["float4", "float8", "numeric"]);
// A pgtext column of these exact types (format_type) is printed bare by wal2json too; a domain over them is quoted.
// Setup accepts SQL's aliases (float8, decimal(10,2), …) too, so they are matched here as well: a missed one
// would be a silent null.
const AMBIGUOUS_PG_TYPES = /^\s*(pg_catalog\.)?(real|float4|double\s+precision|float8|(numeric|decimal)\s*(\(\s*\d+\s*(,\s*-?\d+\s*)?\))?)\s*$/i;
const ambiguousType = (c: ColumnDef) => AMBIGUOUS_TYPES.has(c.type) || (c.type === "pgtext" && AMBIGUOUS_PG_TYPES.test(c.pgType ?? ""));
const IDENTITY_FIX = "give the table REPLICA IDENTITY DEFAULT (primary key) or FULL";

export function decodeRowChange(t: MirroredTable, rec: Wal2jsonRecord, lsn: Lsn, opts: RowOptions): RowChange {
  const table = t.def.name;
  const action = rec.action;
  const identity = rec.columns("identity");
  if (action === "D") {
    if (!identity) throw decodeFailed(`DELETE on ${table} carries no "identity"`, { lsn, table }, { fix: IDENTITY_FIX });
    return { kind: "delete", table, key: keyFrom(t, byName(identity), lsn, "identity"), lsn };
  }
  const columns = rec.columns("columns");
  if (!columns) throw decodeFailed(`${action === "I" ? "INSERT" : "UPDATE"} on ${table} carries no "columns"`, { lsn, table });
  const raw = byName(columns);
  const identityRaw = identity ? byName(identity) : undefined;
  // An UPDATE may omit an unchanged TOASTed key column; its value is then the identity's.
  const keySource = action === "U" && identityRaw ? new Map([...identityRaw, ...raw]) : raw;
  const key = keyFrom(t, keySource, lsn, "columns");
  for (const name of raw.keys()) {
    if (!t.columns.has(name)) {
      throw decodeFailed(`column "${name}" of ${table} is not in the table definition`, { lsn, table, key, column: name }, { fix: "add the column to the table definition (or drop it in PostgreSQL)" });
    }
  }
  const row: Row = {};
  const ambiguous: string[] = [];
  for (const c of t.def.columns) {
    const cell = raw.get(c.name);
    if (cell === undefined) {
      if (action === "U") continue; // omitted by wal2json: unchanged TOAST value, left undefined
      if (!c.nullable || t.def.primaryKey.includes(c.name)) {
        throw decodeFailed(`INSERT on ${table} lacks NOT NULL column "${c.name}"`, { lsn, table, key, column: c.name }, { fix: "the table definition does not match PostgreSQL" });
      }
      row[c.name] = null; // a nullable column PostgreSQL does not have: no value
      continue;
    }
    row[c.name] = withContext({ lsn, table, key, column: c.name }, () => decodeWal2jsonValue(c, cell.value));
    if (cell.value === null && !c.array && ambiguousType(c) && !opts.numericAsString) ambiguous.push(c.name);
  }
  const extra = ambiguous.length > 0 ? { ambiguousNulls: ambiguous } : {};
  if (action === "I") return { kind: "insert", table, key, row, lsn, ...extra };
  const oldKey = identityRaw ? keyFrom(t, identityRaw, lsn, "identity") : undefined;
  const moved = oldKey !== undefined && !sameKey(oldKey, key);
  return { kind: "update", table, key, ...(moved ? { oldKey } : {}), row, lsn, ...extra };
}

function byName(columns: readonly RawColumn[]): Map<string, RawColumn> {
  return new Map(columns.map((c) => [c.name, c]));
}

function keyFrom(t: MirroredTable, raw: ReadonlyMap<string, RawColumn>, lsn: Lsn, source: string): Value[] {
  const table = t.def.name;
  return t.keyColumns.map((c: ColumnDef) => {
    const cell = raw.get(c.name);
    if (cell === undefined) {
      const fix = source === "identity" ? IDENTITY_FIX : "the table definition's primary key does not match PostgreSQL";
      throw decodeFailed(`${table}: primary-key column "${c.name}" is missing from wal2json "${source}"`, { lsn, table, column: c.name }, { fix });
    }
    const v = withContext({ lsn, table, column: c.name }, () => decodeWal2jsonValue(c, cell.value));
    if (v === null) {
      // A key is never SQL NULL; JSON null here is a NaN/±Infinity key that wal2json < 2.6 cannot print.
      throw decodeFailed(`${table}: primary-key column "${c.name}" arrived as null (a NaN/Infinity key?)`, { lsn, table, column: c.name }, { fix: "use wal2json >= 2.6 with numeric-data-types-as-string" });
    }
    return v;
  });
}

function sameKey(a: readonly Value[], b: readonly Value[]): boolean {
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
}

/** Structural equality of Convex values (keys may be bytea, arrays or json, not only scalars). */
function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    if (!(a instanceof ArrayBuffer && b instanceof ArrayBuffer)) return false;
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && sameKey(a, b);
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const x = a as Record<string, Value | undefined>;
    const y = b as Record<string, Value | undefined>;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => k in y && sameValue(x[k], y[k]));
  }
  return Object.is(a, b);
}
