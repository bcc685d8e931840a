// Breaking foreign-key cycles among the declared references (contract 3). A cycle has no parents-first order,
// so one of its edges must not order the tables: it is declared `ordering: false` and its `_ref` is filled
// when the parent arrives. Invariants: after marking, the ordering edges are acyclic (each round removes one
// edge of a cycle that still exists, so it ends); the result depends only on the sorted input, so re-running
// init marks the same edges. Self-references are no ordering edges (the graph ignores them) and never count.

export interface RefEdge {
  /** Child table (holds the foreign key). */
  readonly from: string;
  readonly column: string;
  /** Parent table. */
  readonly to: string;
  /** A nullable foreign key is the one applications already break the cycle with (insert NULL, update later). */
  readonly nullable: boolean;
}

export interface BrokenEdge {
  readonly edge: RefEdge;
  /** The cycle it broke, as tables: ["store", "staff", "store"]. */
  readonly cycle: readonly string[];
}

const key = (e: RefEdge) => `${e.from}.${e.column}`;

export function breakCycles(edges: readonly RefEdge[]): BrokenEdge[] {
  const sorted = [...edges].filter((e) => e.from !== e.to).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const broken: BrokenEdge[] = [];
  const off = new Set<string>();
  for (;;) {
    const cycle = findCycle(sorted.filter((e) => !off.has(key(e))));
    if (!cycle) return broken;
    // Prefer a nullable edge; among equals, the first in the cycle's (deterministic) order.
    const at = Math.max(
      0,
      cycle.findIndex((e) => e.nullable),
    );
    const pick = cycle[at]!;
    off.add(key(pick));
    // Told from the marked edge's table: "store → staff → store" for store.manager_staff_id.
    const path = [...cycle.slice(at), ...cycle.slice(0, at)].map((e) => e.from);
    broken.push({ edge: pick, cycle: [...path, pick.from] });
  }
}

/** One cycle as its edges in path order, or null. Depth-first from each table in name order. */
function findCycle(edges: readonly RefEdge[]): RefEdge[] | null {
  const out = new Map<string, RefEdge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const nodes = [...new Set(edges.map((e) => e.from))].sort();
  const state = new Map<string, "open" | "done">();
  const path: RefEdge[] = [];
  const visit = (n: string): RefEdge[] | null => {
    state.set(n, "open");
    for (const e of out.get(n) ?? []) {
      if (state.get(e.to) === "open") {
        const start = path.findIndex((p) => p.from === e.to);
        return [...(start < 0 ? [] : path.slice(start)), e];
      }
      if (state.get(e.to) === undefined) {
        path.push(e);
        const found = visit(e.to);
        if (found) return found;
        path.pop();
      }
    }
    state.set(n, "done");
    return null;
  };
  for (const n of nodes) {
    if (state.has(n)) continue;
    const found = visit(n);
    if (found) return found;
  }
  return null;
}
