// Checks every derived field in Convex against its definition recomputed from the Convex rows, and every
// reference id against the parent it should point at.
import type { TableGraph } from "../../../src/definitions/graph";
import type { Value } from "convex/values";
import { keyString } from "../../../src/model/key";
import { canonical } from "./canonical";

export interface InvariantDiff {
  table: string;
  key: string;
  field: string;
  expected: string;
  actual: string;
}

export type DocsByTable = Map<string, Map<string, Record<string, unknown>>>;

export function checkInvariants(graph: TableGraph, docs: DocsByTable): InvariantDiff[] {
  const out: InvariantDiff[] = [];
  for (const table of graph.order) {
    const rows = docs.get(table.name);
    if (!rows) continue;
    for (const d of table.derived) {
      for (const [key, doc] of rows) {
        const pk = doc[table.primaryKey[0]!];
        let expected: unknown;
        if (d.kind === "lookup") {
          const ref = table.references.find((r) => r.column === d.via)!;
          const parentKey = doc[d.via];
          const parent = parentKey === null || parentKey === undefined ? undefined : docs.get(ref.table)?.get(keyString([parentKey as Value]));
          expected = parent ? parent[d.column] : null;
        } else {
          let acc = 0;
          for (const child of docs.get(d.from)?.values() ?? []) {
            if (canonical(child[d.via] as Value) !== canonical(pk as Value)) continue;
            if (d.kind === "count") {
              if (Object.entries(d.where ?? {}).every(([c, v]) => child[c] === v)) acc += 1;
            } else acc += Number(child[d.column] ?? 0);
          }
          expected = acc;
        }
        if (canonical(expected as Value) !== canonical(doc[d.field] as Value)) {
          out.push({ table: table.name, key, field: d.field, expected: canonical(expected as Value), actual: canonical(doc[d.field] as Value) });
        }
      }
    }
    for (const ref of graph.mirroredParents(table)) {
      const parents = docs.get(ref.table);
      if (!parents) continue;
      for (const [key, doc] of rows) {
        const raw = doc[ref.column];
        const parent = raw === null || raw === undefined ? undefined : parents.get(keyString([raw as Value]));
        const expected = parent ? parent._id : undefined;
        if (expected !== doc[ref.field]) out.push({ table: table.name, key, field: ref.field, expected: String(expected), actual: String(doc[ref.field]) });
      }
    }
  }
  return out;
}
