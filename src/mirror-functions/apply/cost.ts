// Upper bounds of what applyBatch spends per op, for the bridge's planner: index ranges read (queries)
// and documents written (writes). Each number below mirrors one code path in row-ops.ts / links.ts /
// aggregates.ts; caching inside a mutation only ever lowers the real figure.
//
// Not bounded: the child scans (links.ts). Each is counted as ONE query, and its writes as `fanout`
// documents (default 0): with foreign keys, children arrive after their parent and leave before it,
// so the scans of a streamed change find nothing. applyBatch guards the rest at run time: it stops
// before an op that no longer fits and the bridge re-sends the batch (ApplyBatchResult.complete=false).
import { Pg2ConvexError } from "../../errors";
import type { TableGraph } from "../../definitions/graph";
import { IDENTITY, referenceKeys, type ReferenceKeys } from "../../definitions/reference-keys";
import type { TableDef } from "../../definitions/types";
import type { Op } from "../wire/protocol";

export interface OpCost {
  queries: number;
  writes: number;
}

export interface CostOptions {
  /** Children expected per child scan (writes they cost); 0 when foreign keys hold. */
  fanout?: number;
}

/** Per batch, besides its ops: read the slot's checkpoint and all truncate versions; write the checkpoint. */
export const BATCH_OVERHEAD: OpCost = { queries: 2, writes: 1 };

/** What the cost of a table's ops depends on, computed once per graph and table. */
export interface Shape {
  refs: number;
  /** Parent aggregates fed by this table, grouped by the column naming the parent. */
  feeds: number;
  children: number;
  hasAggregates: boolean;
  /** Child tables that copy a column of this table (lookups): an update scans each. */
  lookupChildren: number;
  /** Columns whose value names a parent row an upsert reads: references to mirrored parents and feeds' `via`. */
  parentColumns: ReadonlyArray<{ column: string; parent: string; keys: ReferenceKeys }>;
}

const shapes = new WeakMap<TableGraph, Map<string, Shape>>();

/** The mirrored table an op names (by its name or its Convex name). */
export function defOf(graph: TableGraph, table: string): TableDef {
  const def = graph.byName(table) ?? graph.byConvexName(table);
  if (!def) throw new Pg2ConvexError("UNKNOWN_TABLE", `table ${JSON.stringify(table)} is not mirrored`, { context: { table } });
  return def;
}

export function shapeOf(graph: TableGraph, table: string): Shape {
  const def = defOf(graph, table);
  let byTable = shapes.get(graph);
  if (!byTable) shapes.set(graph, (byTable = new Map()));
  let shape = byTable.get(def.name);
  if (!shape) byTable.set(def.name, (shape = computeShape(graph, def)));
  return shape;
}

function computeShape(graph: TableGraph, def: TableDef): Shape {
  const groups = new Set<string>();
  const parents = new Map<string, { column: string; parent: string; keys: ReferenceKeys }>();
  const keysOf = (column: string, parent: TableDef) => {
    const ref = def.references.find((r) => r.column === column && r.table === parent.name);
    return ref ? referenceKeys(def, ref, parent) : IDENTITY;
  };
  for (const r of def.references) {
    const parent = graph.byName(r.table);
    if (parent) parents.set(`${r.column}\u0000${r.table}`, { column: r.column, parent: r.table, keys: keysOf(r.column, parent) });
  }
  for (const parent of graph.order) {
    for (const d of parent.derived) {
      if (d.kind === "lookup" || d.from !== def.name) continue;
      groups.add(`${parent.name}.${d.via}`);
      parents.set(`${d.via}\u0000${parent.name}`, { column: d.via, parent: parent.name, keys: keysOf(d.via, parent) });
    }
  }
  const children = graph.childrenOf(def.name);
  return {
    refs: def.references.filter((r) => graph.byName(r.table)).length,
    feeds: groups.size,
    children: children.length,
    hasAggregates: def.derived.some((d) => d.kind !== "lookup"),
    lookupChildren: children.filter(({ child, ref }) => child.derived.some((x) => x.kind === "lookup" && x.via === ref.column)).length,
    parentColumns: [...parents.values()],
  };
}

export function estimateOpCost(graph: TableGraph, op: Op, options: CostOptions = {}): OpCost {
  const fanout = options.fanout ?? 0;
  switch (op.o) {
    case "upsert": {
      const s = shapeOf(graph, op.t);
      // row + tombstone + one parent per reference (which also serves the new parent of each feed and
      // every lookup) + the old parent per feed + one scan per child table. A partial upsert without a
      // row instead reads row + tombstone + the reject it may duplicate (3).
      const queries = Math.max(3, 2 + s.refs + s.feeds + s.children);
      // Insert: row + dropped tombstone + new parent per feed + own aggregates.
      // Update: row + old and new parent per feed. Either: the children found by the scans.
      const writes = Math.max(2 + s.feeds + (s.hasAggregates ? 1 : 0), 1 + 2 * s.feeds) + s.children * fanout;
      // A partial upsert looks for a reject newer than the row it merges over. A moved row (carry.ts) may
      // also read a stored carry, its old key's row and that row's newer reject, and delete the carry.
      const partial = op.partial ? 1 : 0;
      const moved = op.from ? { queries: 3, writes: 1 } : { queries: 0, writes: 0 };
      return { queries: queries + partial + moved.queries + keep(op).queries, writes: writes + moved.writes + keep(op).writes };
    }
    case "delete": {
      const s = shapeOf(graph, op.t);
      // row + tombstone + old parent per feed + child scans; row + tombstone + parent patches + children.
      return { queries: 2 + s.feeds + s.children + keep(op).queries, writes: 2 + s.feeds + s.children * fanout + keep(op).writes };
    }
    case "reject":
      return { queries: 1, writes: 1 };
    case "truncate":
      // Per table: truncatedAt write, one (empty) range of old rows, one of old tombstones. The
      // deletions themselves are self-limiting (truncate.ts) and may end the batch early.
      return { queries: 2 * op.ts.length, writes: op.ts.length };
  }
}

/** Carries kept for moved rows: the kept row's newer reject, then per carry one look-up and one write to store it. */
const keep = (op: { keep?: unknown[] }): OpCost => (op.keep ? { queries: 1 + op.keep.length, writes: op.keep.length } : { queries: 0, writes: 0 });

/** The estimate of a whole batch: overhead plus every op. */
export function estimateBatchCost(graph: TableGraph, ops: readonly Op[], options: CostOptions = {}): OpCost {
  const total = { ...BATCH_OVERHEAD };
  for (const op of ops) {
    const c = estimateOpCost(graph, op, options);
    total.queries += c.queries;
    total.writes += c.writes;
  }
  return total;
}

/** Worst case of removing one row in a truncate, child scans counted as one query and one write. */
export function rowRemovalCost(info: { feeds: readonly unknown[]; children: readonly unknown[] }): OpCost {
  return { queries: info.feeds.length + info.children.length, writes: 1 + info.feeds.length + info.children.length };
}
