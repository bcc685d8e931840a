// The planner's estimate of what applyBatch spends on a transaction's ops, now that the apply reads keys by
// ranges (prefetch.ts, key-ranges.ts). Per op: its own look-ups that are not read ahead, plus its share of the
// transaction's ranges (each range's cost split over the ops that need it). Summed over ops it is an upper bound
// of the batch's index ranges when:
//  - the ranges are read to their end: always for a single integer primary key (key-ranges.ts: a range spans
//    fewer than INT_SPAN key values, by_pk holds one document per key); for tombstones, other keys and child
//    scans, when they are sparse (fewer than RANGE_DOCS documents per range), as a streamed change finds them;
//  - an update leaves its row's parent (the `via` column of a feed) as it was, or moves it to a parent another
//    op of the transaction also names.
// When that does not hold the apply reads the rest key by key, and applyBatch's guard (estimateOpCost: the
// most one op can spend) ends the batch before any Convex limit (complete=false; the bridge sends it again).
// Writes are estimateOpCost's (unchanged: ranges only save reads).
import type { Value } from "convex/values";
import type { TableGraph } from "../../definitions/graph";
import type { TableDef } from "../../definitions/types";
import { keyString } from "../../model/key";
import type { Op } from "../wire/protocol";
import { defOf, estimateOpCost, shapeOf, type OpCost } from "./cost";
import { integerKey, keyGroups, sortedUnique } from "./key-ranges";

interface Spec {
  /** Index ranges (or single look-ups) this spec costs for the whole transaction. */
  queries: number;
  ops: number[];
}

/** The estimated cost of each of `ops` (one transaction, or one batch), in order. */
export function planOpCosts(graph: TableGraph, ops: readonly Op[]): OpCost[] {
  const out: OpCost[] = ops.map((op) => ({ queries: own(graph, op), writes: estimateOpCost(graph, op).writes }));
  const keys = new Map<string, { def: TableDef; keys: Value[][]; upsertKeys: Value[][]; ops: number[]; upserts: number[] }>();
  const parents = new Map<string, { values: Set<string>; ops: Set<number> }>();
  ops.forEach((op, i) => {
    if (op.o !== "upsert" && op.o !== "delete") return;
    const def = defOf(graph, op.t);
    const entry = keys.get(def.name) ?? { def, keys: [], upsertKeys: [], ops: [], upserts: [] };
    entry.keys.push(op.k);
    if (op.o === "upsert" && op.from) entry.keys.push(op.from);
    entry.ops.push(i);
    if (op.o === "upsert") {
      entry.upsertKeys.push(op.k);
      entry.upserts.push(i);
    }
    keys.set(def.name, entry);
    if (op.o !== "upsert") return;
    const d = op.d !== null && typeof op.d === "object" ? (op.d as Record<string, Value | undefined>) : {};
    // Each distinct parent key is read once (cached): the references' parents, which are also the feeds' ones.
    for (const { column, parent, keys: cast } of shapeOf(graph, def.name).parentColumns) {
      // As the parent's key (reference-keys.ts), so children of different integer types name one parent alike.
      const raw = d[column];
      const v = raw === undefined || raw === null ? null : cast.toParent(raw);
      if (v === null) continue;
      const p = parents.get(parent) ?? { values: new Set(), ops: new Set() };
      p.values.add(keyString([v]));
      p.ops.add(i);
      parents.set(parent, p);
    }
  });
  const specs: Spec[] = [];
  for (const { def, keys: ks, upsertKeys, ops: idx, upserts } of keys.values()) {
    const ranges = keyGroups(sortedUnique(ks), integerKey(def)).length;
    specs.push({ queries: ranges, ops: idx }, { queries: ranges, ops: idx }); // rows, tombstones
    const children = graph.childrenOf(def.name).length;
    if (children > 0 && upserts.length > 0) specs.push({ queries: children * keyGroups(sortedUnique(upsertKeys), integerKey(def)).length, ops: upserts });
  }
  for (const p of parents.values()) specs.push({ queries: p.values.size, ops: [...p.ops] });
  for (const s of specs) for (const i of s.ops) out[i]!.queries += s.queries / s.ops.length;
  return out;
}

/** What an op reads that is not read ahead by ranges. */
function own(graph: TableGraph, op: Op): number {
  switch (op.o) {
    case "upsert": {
      // A partial upsert: the reject newer than its row, or the reject it records. A moved row: a stored carry,
      // the old key's newer reject, its carry's look-up. An update scans the children that copy a changed column.
      return (op.partial ? 2 : 0) + (op.from ? 3 : 0) + keep(op) + shapeOf(graph, op.t).lookupChildren;
    }
    case "delete": {
      // Its old parent per feed (its row's, unknown here) and one scan per child table (children go first).
      const s = shapeOf(graph, op.t);
      return s.feeds + s.children + keep(op);
    }
    case "reject":
    case "truncate":
      return estimateOpCost(graph, op).queries;
  }
}

const keep = (op: { keep?: unknown[] }) => (op.keep ? 1 + op.keep.length : 0);
