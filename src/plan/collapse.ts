// Collapses changes to each row's final state and orders the result by the table graph.
import { convexToJson, type Value } from "convex/values";
import type { Op } from "../mirror-functions/protocol";
import type { Key, Row, RowChange, SourceTransaction } from "../model/changes";
import type { TableGraph } from "../tables/graph";
import { Pg2ConvexError } from "../errors";
import { formatLsn } from "../model/lsn";

type Entry =
  | { kind: "upsert"; table: string; key: Key; row: Row; ver: bigint }
  | { kind: "delete"; table: string; key: Key; ver: bigint }
  | { kind: "reject"; table: string; key: Key; ver: bigint; code: string; reason: string };

/** Canonical text of a key, equal for equal Convex values (bigint, bytes and floats included). */
export const keyText = (key: Key): string => JSON.stringify(convexToJson(key as Value[]));

/** One run of row changes between truncates. Map order = first appearance, for deterministic output. */
class Segment {
  readonly rows = new Map<string, Entry>();

  put(table: string, key: Key, next: (prev: Entry | undefined) => Entry): void {
    const id = `${table}\u0000${keyText(key)}`;
    const prev = this.rows.get(id);
    if (prev) this.rows.delete(id); // re-insert keeps "last touched" order stable within a table
    this.rows.set(id, next(prev));
  }

  dropTables(tables: ReadonlySet<string>): void {
    for (const [id, e] of this.rows) if (tables.has(e.table)) this.rows.delete(id);
  }
}

function apply(seg: Segment, c: Exclude<RowChange, { kind: "truncate" }>, ver: bigint): void {
  switch (c.kind) {
    case "insert":
      seg.put(c.table, c.key, () => ({ kind: "upsert", table: c.table, key: c.key, row: c.row, ver }));
      return;
    case "update":
      if (c.oldKey) seg.put(c.table, c.oldKey, () => ({ kind: "delete", table: c.table, key: c.oldKey!, ver }));
      // Columns wal2json omitted (unchanged TOAST) stay undefined; an earlier full image in the batch fills them.
      seg.put(c.table, c.key, (prev) => ({
        kind: "upsert",
        table: c.table,
        key: c.key,
        row: prev?.kind === "upsert" ? mergeRow(prev.row, c.row) : c.row,
        ver,
      }));
      return;
    case "delete":
      seg.put(c.table, c.key, () => ({ kind: "delete", table: c.table, key: c.key, ver }));
      return;
    case "reject":
      seg.put(c.table, c.key, () => ({ kind: "reject", table: c.table, key: c.key, ver, code: c.code, reason: c.reason }));
      return;
  }
}

function mergeRow(base: Row, update: Row): Row {
  const out: Row = { ...base };
  for (const [k, v] of Object.entries(update)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Plans the ops for consecutive transactions applied as one atomic unit.
 * Each row's version is the commit LSN of the last transaction that touched it.
 */
export function planOps(graph: TableGraph, txs: readonly SourceTransaction[]): Op[] {
  const ops: Op[] = [];
  let seg = new Segment();
  for (const tx of txs) {
    for (const c of tx.changes) {
      if (c.kind === "truncate") {
        // Rows of the truncated tables written earlier in the batch are gone after it. Dropping them matters for
        // rows of this same transaction: they carry the truncate's own version, which the truncate keeps.
        seg.dropTables(new Set(c.tables));
        appendAll(ops, orderSegment(graph, seg));
        seg = new Segment();
        const tables = c.tables.map((t) => convexName(graph, t, tx.commitLsn));
        ops.push({ o: "truncate", ts: tables, ver: tx.commitLsn });
        continue;
      }
      apply(seg, c, tx.commitLsn);
    }
  }
  appendAll(ops, orderSegment(graph, seg));
  return ops;
}

/** push(...items) passes every item as an argument and overflows the stack for large transactions. */
function appendAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

function convexName(graph: TableGraph, table: string, lsn: bigint): string {
  const def = graph.byName(table);
  if (!def) throw new Pg2ConvexError("UNKNOWN_TABLE", `change for unmirrored table ${table}`, { context: { table, lsn: formatLsn(lsn) } });
  return def.convexName;
}

function orderSegment(graph: TableGraph, seg: Segment): Op[] {
  const entries = [...seg.rows.values()];
  const rank = (e: Entry) => graph.rank.get(e.table) ?? Number.MAX_SAFE_INTEGER;
  // Stable sorts: within a table, first-touched order is kept.
  const deletes = entries.filter((e) => e.kind === "delete").sort((a, b) => rank(b) - rank(a));
  const upserts = entries.filter((e) => e.kind !== "delete").sort((a, b) => rank(a) - rank(b));
  return [...deletes, ...upserts].map((e) => toOp(graph, e));
}

function toOp(graph: TableGraph, e: Entry): Op {
  const t = convexName(graph, e.table, e.ver);
  const k = e.key as Value[];
  if (e.kind === "delete") return { o: "delete", t, k, ver: e.ver };
  if (e.kind === "reject") return { o: "reject", t, k, ver: e.ver, code: e.code, reason: e.reason };
  const d: Record<string, Value> = {};
  let partial = false;
  for (const [name, v] of Object.entries(e.row)) {
    if (v === undefined) partial = true;
    else d[name] = v;
  }
  const def = graph.byName(e.table)!;
  if (def.columns.some((c) => !(c.name in e.row))) partial = true;
  return partial ? { o: "upsert", t, k, ver: e.ver, d, partial: true } : { o: "upsert", t, k, ver: e.ver, d };
}
