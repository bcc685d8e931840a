// wal2json I/U/D records of a mirrored table → RowChange.
// Invariants: a column wal2json omitted (an unchanged TOASTed column of an UPDATE) stays `undefined` in the
// Row, never null; keys come from the new row (insert/update) or "identity" (delete, and the old key of an
// update); float/numeric columns that arrived as JSON null are listed in ambiguousNulls unless wal2json
// sends numbers as strings (then NaN/±Infinity arrive as text and null is always SQL NULL).
import type { Value } from "convex/values";
import type { RowChange, Row } from "../model/changes";
import type { Lsn } from "../model/lsn";
import type { ColumnDef } from "../definitions/types";
import { decodeFailed, withContext, type FailureContext } from "./failure";
import type { RawColumn, Wal2jsonRecord } from "./record";
import type { MirroredTable } from "./table-index";
import { decodeWal2jsonValue } from "./values";
import { NEVER_TOASTED, rawText, sameTypeName, type DriftListener, type DriftNote } from "./drift";

export interface RowOptions {
  readonly numericAsString: boolean;
  /** Receives every difference between a record and the definitions (drift.ts); without it, drift is fatal. */
  readonly onDrift?: DriftListener;
  /** PostgreSQL table → column → format_type at start-up: a record naming another type is drift. */
  readonly columnTypes?: ReadonlyMap<string, ReadonlyMap<string, string>>;
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
    return { kind: "delete", table, key: keyFrom(t, cellsOf(t, identity), undefined, lsn, "identity"), lsn };
  }
  const columns = rec.columns("columns");
  if (!columns) throw decodeFailed(`${action === "I" ? "INSERT" : "UPDATE"} on ${table} carries no "columns"`, { lsn, table });
  const cells = cellsOf(t, columns);
  const unknownColumns = sawUnknown;
  const identityCells = identity ? cellsOf(t, identity) : undefined;
  // An UPDATE may omit an unchanged TOASTed key column; its value is then the identity's.
  const key = keyFrom(t, cells, action === "U" ? identityCells : undefined, lsn, "columns");
  if (unknownColumns) {
    for (const [name, cell] of byName(columns)) {
      if (t.columns.has(name) || t.excluded.has(name)) continue;
      drift(opts, table, key, lsn, { column: name, kind: "column_added", detail: `column ${name} (${cell.type}) is not in the table definition`, raw: rawText(cell.value) });
    }
  }
  const types = opts.columnTypes?.get(table);
  const row: Row = {};
  let ambiguous: string[] | undefined;
  const defs = t.def.columns;
  for (let i = 0; i < defs.length; i++) {
    const c = defs[i]!;
    const cell = cells[i];
    const isKey = t.isKey[i]!;
    if (cell === undefined) {
      if (action === "U") {
        // Omitted by wal2json: an unchanged TOAST value, left undefined; a never-TOASTed column is missing because it was dropped.
        if (NEVER_TOASTED.has(c.type) && !c.array) drift(opts, table, key, lsn, { column: c.name, kind: "column_dropped", detail: `column ${c.name} is missing from an UPDATE (dropped in PostgreSQL?)` });
        continue;
      }
      if (!c.nullable || isKey) {
        throw decodeFailed(`INSERT on ${table} lacks NOT NULL column "${c.name}"`, { lsn, table, key, column: c.name }, { fix: "the table definition does not match PostgreSQL" });
      }
      drift(opts, table, key, lsn, { column: c.name, kind: "column_dropped", detail: `column ${c.name} is missing from an INSERT (dropped in PostgreSQL?)` });
      row[c.name] = null; // a nullable column PostgreSQL does not have: no value
      continue;
    }
    const expected = types?.get(c.name);
    let retyped = false;
    if (expected !== undefined && typeof cell.type === "string" && !(cell.type === t.sameType[i]?.type && expected === t.sameType[i]?.expected)) {
      // A verdict of "same" is remembered for the names compared (the same in almost every record).
      retyped = !sameTypeName(expected, cell.type);
      if (retyped) drift(opts, table, key, lsn, { column: c.name, kind: "type_changed", detail: `column ${c.name} is ${cell.type} in PostgreSQL, ${expected} when the mirror started`, raw: rawText(cell.value) });
      else t.sameType[i] = { expected, type: cell.type };
    }
    let value: Value;
    try {
      value = decodeWal2jsonValue(c, cell.value);
    } catch (e) {
      const err = inContext(e, { lsn, table, key, column: c.name });
      // A value of a retyped column, or an enum label added in PostgreSQL: kept raw in the drift record, never a stopped stream.
      if (isKey || !(retyped || c.type === "enum") || !opts.onDrift) throw err;
      drift(opts, table, key, lsn, { column: c.name, kind: "value_undecodable", detail: `${(err as Error).message}`, raw: rawText(cell.value) });
      if (action === "U") continue; // the document keeps its last decodable value; the raw one is in pg2c_drift
      if (!c.nullable) throw err;
      row[c.name] = null;
      continue;
    }
    row[c.name] = value;
    if (cell.value === null && !c.array && !opts.numericAsString && ambiguousType(c)) (ambiguous ??= []).push(c.name);
  }
  const extra = ambiguous ? { ambiguousNulls: ambiguous } : {};
  if (action === "I") return { kind: "insert", table, key, row, lsn, ...extra };
  const oldKey = identityCells ? keyFrom(t, identityCells, undefined, lsn, "identity") : undefined;
  const moved = oldKey !== undefined && !sameKey(oldKey, key);
  return { kind: "update", table, key, ...(moved ? { oldKey } : {}), row, lsn, ...extra };
}

/** Drift of one row (drift.ts). Without a listener (tests, tools) only an unknown column stops the row, as a reject; the rest decodes as before. */
function drift(opts: RowOptions, table: string, key: Value[], lsn: Lsn, n: Omit<DriftNote, "table" | "key" | "lsn">): void {
  if (!opts.onDrift && n.kind !== "column_added") return;
  if (!opts.onDrift) throw decodeFailed(`${table}.${n.column}: ${n.detail}`, { lsn, table, key, column: n.column }, { fix: "update the table definition (pg2convex init --check), deploy, then pg2convex resync --table " + table });
  opts.onDrift({ ...n, table, key, lsn });
}

/** withContext's re-raise (failure.ts), without a closure per value. */
function inContext(e: unknown, ctx: FailureContext): unknown {
  try {
    return withContext(ctx, () => {
      throw e;
    });
  } catch (wrapped) {
    return wrapped;
  }
}

/** Set by each cellsOf call: a name was neither a column of the definition nor an excluded one. */
let sawUnknown = false;

/** The cells of `columns` by def.columns index, the last of a repeated name winning (as in a Map). */
function cellsOf(t: MirroredTable, columns: readonly RawColumn[]): (RawColumn | undefined)[] {
  const out: (RawColumn | undefined)[] = new Array<RawColumn | undefined>(t.def.columns.length);
  sawUnknown = false;
  for (let j = 0; j < columns.length; j++) {
    const cell = columns[j]!;
    const i = t.position.get(cell.name);
    if (i !== undefined) out[i] = cell;
    else if (!t.excluded.has(cell.name)) sawUnknown = true;
  }
  return out;
}

function byName(columns: readonly RawColumn[]): Map<string, RawColumn> {
  return new Map(columns.map((c) => [c.name, c]));
}

/** The key from `cells`, a key column missing there taken from `fallback` (an UPDATE's identity). */
function keyFrom(t: MirroredTable, cells: readonly (RawColumn | undefined)[], fallback: readonly (RawColumn | undefined)[] | undefined, lsn: Lsn, source: string): Value[] {
  const table = t.def.name;
  const key: Value[] = [];
  for (let k = 0; k < t.keyColumns.length; k++) {
    const c = t.keyColumns[k]!;
    const i = t.keyPositions[k]!;
    const cell = cells[i] ?? fallback?.[i];
    if (cell === undefined) {
      const fix = source === "identity" ? IDENTITY_FIX : "the table definition's primary key does not match PostgreSQL";
      throw decodeFailed(`${table}: primary-key column "${c.name}" is missing from wal2json "${source}"`, { lsn, table, column: c.name }, { fix });
    }
    let v: Value;
    try {
      v = decodeWal2jsonValue(c, cell.value);
    } catch (e) {
      throw inContext(e, { lsn, table, column: c.name });
    }
    if (v === null) {
      // A key is never SQL NULL; JSON null here is a NaN/±Infinity key that wal2json < 2.6 cannot print.
      throw decodeFailed(`${table}: primary-key column "${c.name}" arrived as null (a NaN/Infinity key?)`, { lsn, table, column: c.name }, { fix: "use wal2json >= 2.6 with numeric-data-types-as-string" });
    }
    key.push(v);
  }
  return key;
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
