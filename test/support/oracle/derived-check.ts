// Checks every derived field in Convex against its definition recomputed from the Convex rows, and every
// reference id against the parent it should point at. A child's column and its parent's key are compared as
// PostgreSQL compares them: integers by value, whether stored as a number (int2/int4) or a bigint (int8).
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
          const parent = parentKey === null || parentKey === undefined ? undefined : byValue(docs.get(ref.table), parentKey as Value);
          expected = parent ? parent[d.column] : null;
        } else {
          let acc = 0;
          for (const child of docs.get(d.from)?.values() ?? []) {
            if (!sameKeyValue(child[d.via] as Value, pk as Value)) continue;
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
        const parent = raw === null || raw === undefined ? undefined : byValue(parents, raw as Value);
        const expected = parent ? parent._id : undefined;
        if (expected !== doc[ref.field]) out.push({ table: table.name, key, field: ref.field, expected: String(expected), actual: String(doc[ref.field]) });
      }
    }
  }
  return out;
}

/** The same integer in the other representation (number ↔ bigint) when it has one exactly. */
function otherInteger(v: Value): Value | undefined {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}

function byValue(rows: Map<string, Record<string, unknown>> | undefined, key: Value): Record<string, unknown> | undefined {
  if (!rows) return undefined;
  const other = otherInteger(key);
  return rows.get(keyString([key])) ?? (other === undefined ? undefined : rows.get(keyString([other])));
}

function sameKeyValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  if (canonical(a) === canonical(b)) return true;
  const other = otherInteger(a);
  return other !== undefined && canonical(other) === canonical(b);
}
