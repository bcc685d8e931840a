// Finding one foreign-key cycle to report. Invariant: the edges returned form a closed path child → parent
// (each edge's `to` is the next edge's `from`, the last edge's `to` is the first edge's `from`), so the
// GRAPH_CYCLE message names exactly the references to break, not every table that merely depends on them.
import type { ReferenceDef, TableDef } from "./types";

export interface CycleEdge {
  /** The child table (holds the foreign-key column). */
  readonly from: string;
  /** The parent table. */
  readonly to: string;
  readonly column: string;
}

/** Ordering references only: a reference declared `ordering: false` never orders tables. */
export const orders = (r: ReferenceDef) => r.ordering !== false;

/** One cycle among `tables` following ordering references to tables in the set (self-references excluded), or null. */
export function findCycle(tables: readonly TableDef[]): CycleEdge[] | null {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const edges = (t: TableDef): CycleEdge[] => t.references.filter((r) => orders(r) && r.table !== t.name && byName.has(r.table)).map((r) => ({ from: t.name, to: r.table, column: r.column }));
  const state = new Map<string, "open" | "done">();
  const path: CycleEdge[] = [];
  const visit = (name: string): CycleEdge[] | null => {
    state.set(name, "open");
    for (const e of edges(byName.get(name)!)) {
      if (state.get(e.to) === "open") {
        const start = path.findIndex((p) => p.from === e.to);
        return [...(start < 0 ? [] : path.slice(start)), e];
      }
      if (state.has(e.to)) continue;
      path.push(e);
      const found = visit(e.to);
      if (found) return found;
      path.pop();
    }
    state.set(name, "done");
    return null;
  };
  for (const t of tables) {
    if (state.has(t.name)) continue;
    const found = visit(t.name);
    if (found) return found;
  }
  return null;
}

export const describeEdge = (e: CycleEdge) => `${e.from} → ${e.to} via ${e.from}.${e.column}`;
