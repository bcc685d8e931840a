// NaN/±Infinity recovery for wal2json 2.5, which prints float and numeric NaN, Infinity and -Infinity as
// JSON null, the same as SQL NULL (2.6 adds numeric-data-types-as-string; probeNumericAsString detects it).
// Strategy (docs/type-mapping.md): per table, one query reads the live tuples of the ambiguous rows with
// their xmin. Only when the live tuple's xmin is this transaction's xid is it provably the version the
// change wrote; then its `col::text` settles each ambiguous column (NaN/Infinity/-Infinity → that value,
// NULL → a real NULL). Anything unprovable stays null and listed: if the row changed or was deleted since,
// a later change carries its newer value, so the mirror converges; a row written in a subtransaction (its
// xmin is the subxact's xid) stays null until it next changes (documented limitation).
// Invariant: only a null listed in ambiguousNulls is ever replaced, and only by NaN, Infinity or -Infinity.
import type { Value } from "convex/values";
import type { RowChange, SourceTransaction } from "../model/changes";
import type { TableDef, TableSet } from "../tables/types";
import { keyParam, liveRowsSql } from "./live-rows";
import { decodeText } from "./values";

/** Runs SQL on ONE PostgreSQL session (a pg.Client, or a pool client held across the calls). */
export type Query = (sql: string, params: unknown[]) => Promise<{ rows: any[] }>;

const SPECIAL = new Set(["NaN", "Infinity", "-Infinity"]);

type Ambiguous = Extract<RowChange, { kind: "insert" | "update" }>;

export async function resolveAmbiguousNulls(tx: SourceTransaction, query: Query, tables: TableSet): Promise<SourceTransaction> {
  const changes = [...tx.changes];
  for (const [tableName, indexes] of currentVersions(changes)) {
    const def = tables.find((d) => d.name === tableName);
    if (!def) continue;
    const keyColumns = def.primaryKey.map((n) => def.columns.find((c) => c.name === n)!);
    const targets = indexes.map((i) => changes[i] as Ambiguous);
    const params = targets.map((c) => keyColumns.map((k, j) => keyParam(k, c.key[j] as Value)));
    if (params.some((p) => p.includes(undefined))) continue; // key type we cannot query by: stays null
    const columns = [...new Set(targets.flatMap((c) => c.ambiguousNulls ?? []))];
    const sql = liveRowsSql(def, keyColumns, columns);
    const { rows } = await query(sql, keyColumns.map((_, j) => params.map((p) => p[j])));
    for (const live of rows) {
      const at = Number(live.pg2c_i) - 1;
      if (String(live.pg2c_xmin) !== String(tx.xid)) continue; // not provably this transaction's version
      const i = indexes[at]!;
      changes[i] = settle(def, targets[at]!, (col) => live[`c${columns.indexOf(col)}`] as string | null);
    }
  }
  return { ...tx, changes };
}

/** The change with its ambiguous columns settled from the live tuple's text. */
function settle(def: TableDef, change: Ambiguous, liveText: (column: string) => string | null): Ambiguous {
  const row = { ...change.row };
  const still: string[] = [];
  for (const name of change.ambiguousNulls ?? []) {
    const text = liveText(name);
    if (text !== null && SPECIAL.has(text)) row[name] = decodeText(def.columns.find((c) => c.name === name)!, text);
    else if (text !== null) still.push(name); // cannot happen for the version this change wrote; keep null
  }
  const { ambiguousNulls: _dropped, ...rest } = change;
  return { ...rest, row, ...(still.length > 0 ? { ambiguousNulls: still } : {}) } as Ambiguous;
}

/**
 * Per table, the indexes of changes that wrote the transaction's final version of their row and have
 * ambiguous columns: only those can match the live tuple (an earlier change to the same key was superseded
 * within the transaction).
 */
function currentVersions(changes: readonly RowChange[]): Map<string, number[]> {
  const last = new Map<string, Map<string, number>>();
  const rowsOf = (table: string) => last.get(table) ?? last.set(table, new Map()).get(table)!;
  const id = (key: readonly Value[]) => JSON.stringify(key, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
  changes.forEach((c, i) => {
    if (c.kind === "truncate") {
      for (const t of c.tables) last.delete(t);
    } else if (c.kind === "delete") {
      rowsOf(c.table).delete(id(c.key));
    } else {
      if (c.kind === "update" && c.oldKey) rowsOf(c.table).delete(id(c.oldKey));
      rowsOf(c.table).set(id(c.key), i);
    }
  });
  const out = new Map<string, number[]>();
  for (const [table, rows] of last) {
    const indexes = [...rows.values()].filter((i) => ((changes[i] as Ambiguous).ambiguousNulls?.length ?? 0) > 0);
    if (indexes.length > 0) out.set(table, indexes);
  }
  return out;
}

/**
 * Whether this server's wal2json accepts numeric-data-types-as-string (>= 2.6). Creates a temporary slot,
 * peeks with the option and drops the slot. False when wal2json rejects the option as unknown (2.5 says:
 * option "numeric-data-types-as-string" = "1" is unknown); any other failure is thrown. Note that creating
 * a logical slot waits for transactions already running on the server to finish.
 */
export async function probeNumericAsString(query: Query): Promise<boolean> {
  const slot = `pg2c_probe_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await query("SELECT pg_create_logical_replication_slot($1, 'wal2json', true)", [slot]);
  try {
    await query("SELECT count(*) FROM pg_logical_slot_peek_changes($1, NULL, 1, 'format-version', '2', 'numeric-data-types-as-string', '1')", [slot]);
    return true;
  } catch (e) {
    if (/numeric-data-types-as-string.*unknown/.test(String((e as Error)?.message))) return false;
    throw e;
  } finally {
    await query("SELECT pg_drop_replication_slot($1)", [slot]).catch(() => undefined);
  }
}
