// The table dependency graph: parents before children. Built once from the definitions and checked at
// start-up. Invariant: `order` lists every mirrored table after all of its mirrored parents, ties broken by
// the order the tables were declared in, so the result is deterministic.
import { Pg2ConvexError } from "../errors";
import { describeEdge, findCycle, orders } from "./cycle";
import { referenceKeyProblem } from "./reference-keys";
import type { ReferenceDef, TableDef, TableSet } from "./types";

export interface TableGraph {
  /** Parents first. Upserts run in this order, deletes in reverse. */
  readonly order: readonly TableDef[];
  /** Position of each PostgreSQL table name in `order`. */
  readonly rank: ReadonlyMap<string, number>;
  byName(name: string): TableDef | undefined;
  byConvexName(name: string): TableDef | undefined;
  /** References from mirrored children to `parent` (a PostgreSQL table name). */
  childrenOf(parent: string): ReadonlyArray<{ child: TableDef; ref: ReferenceDef }>;
  /** References of `table` whose parent is mirrored (non-ordering ones included). */
  mirroredParents(table: TableDef): readonly ReferenceDef[];
}

export function buildGraph(tables: TableSet): TableGraph {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const byConvex = new Map(tables.map((t) => [t.convexName, t]));
  if (byName.size !== tables.length) throw new Pg2ConvexError("CONFIG_INVALID", "two table definitions share a PostgreSQL name");
  if (byConvex.size !== tables.length) throw new Pg2ConvexError("CONFIG_INVALID", "two table definitions share a Convex name");
  validateDefinitions(tables, byName);

  const mirroredParents = (t: TableDef) => t.references.filter((r) => byName.has(r.table) && r.table !== t.name);
  // Only ordering references order tables: a non-ordering one (ordering: false) breaks a foreign-key cycle.
  const orderingParents = (t: TableDef) => mirroredParents(t).filter(orders);
  const children = new Map<string, Array<{ child: TableDef; ref: ReferenceDef }>>();
  for (const t of tables) {
    for (const ref of t.references) {
      if (!byName.has(ref.table)) continue;
      const list = children.get(ref.table) ?? [];
      list.push({ child: t, ref });
      children.set(ref.table, list);
    }
  }

  // Kahn's algorithm, always picking the earliest-declared ready table.
  const indegree = new Map(tables.map((t) => [t.name, new Set(orderingParents(t).map((r) => r.table)).size]));
  const order: TableDef[] = [];
  const done = new Set<string>();
  while (order.length < tables.length) {
    const next = tables.find((t) => !done.has(t.name) && indegree.get(t.name) === 0);
    if (!next) {
      const cycle = findCycle(tables.filter((t) => !done.has(t.name))) ?? [];
      const edge = cycle[cycle.length - 1];
      const fix = edge ? `declare one reference of the cycle non-ordering, e.g. in the definition of ${edge.from}: references: { ${edge.column}: { table: "${edge.to}", ordering: false } }` : "declare one reference of the cycle with ordering: false";
      throw new Pg2ConvexError("GRAPH_CYCLE", `the table references form a cycle: ${cycle.map(describeEdge).join(", ")}`, {
        context: { edges: cycle },
        fix,
      });
    }
    order.push(next);
    done.add(next.name);
    for (const { child } of children.get(next.name) ?? []) {
      if (child.name === next.name) continue;
      const parentsLeft = new Set(
        orderingParents(child)
          .map((r) => r.table)
          .filter((p) => !done.has(p)),
      );
      indegree.set(child.name, parentsLeft.size);
    }
  }
  validateReferenceTypes(tables, byName);
  const rank = new Map(order.map((t, i) => [t.name, i]));
  return {
    order,
    rank,
    byName: (n) => byName.get(n),
    byConvexName: (n) => byConvex.get(n),
    childrenOf: (p) => children.get(p) ?? [],
    mirroredParents,
  };
}

function validateDefinitions(tables: TableSet, byName: Map<string, TableDef>): void {
  const problems: string[] = [];
  for (const t of tables) {
    const cols = new Set(t.columns.map((c) => c.name));
    for (const x of t.excluded ?? []) if (cols.has(x)) problems.push(`${t.name}: column ${x} is both declared and excluded`);
    if (t.primaryKey.length === 0) problems.push(`${t.name}: no primary key declared`);
    for (const k of t.primaryKey) if (!cols.has(k)) problems.push(`${t.name}: primary-key column ${k} is not a column`);
    for (const r of t.references) {
      if (!cols.has(r.column)) problems.push(`${t.name}: reference column ${r.column} is not a column`);
      const parent = byName.get(r.table);
      if (parent && parent.primaryKey.length !== 1) problems.push(`${t.name}.${r.column}: parent ${r.table} must have a single-column primary key`);
      if (cols.has(r.field)) problems.push(`${t.name}: reference field ${r.field} collides with a column`);
    }
    for (const d of t.derived) {
      if (d.kind === "lookup") {
        const ref = t.references.find((r) => r.column === d.via);
        if (!ref) problems.push(`${t.name}.${d.field}: lookup via ${d.via} needs a declared reference`);
        else if (!byName.get(ref.table)?.columns.some((c) => c.name === d.column)) problems.push(`${t.name}.${d.field}: ${ref.table} has no column ${d.column}`);
      } else {
        const child = byName.get(d.from);
        if (!child) problems.push(`${t.name}.${d.field}: derived from unmirrored table ${d.from}`);
        else {
          if (!child.references.some((r) => r.column === d.via && r.table === t.name)) problems.push(`${t.name}.${d.field}: ${d.from}.${d.via} is not a declared reference to ${t.name}`);
          if (d.kind === "sum" && !child.columns.some((c) => c.name === d.column)) problems.push(`${t.name}.${d.field}: ${d.from} has no column ${d.column}`);
          for (const w of Object.keys(d.kind === "count" ? (d.where ?? {}) : {})) if (!child.columns.some((c) => c.name === w)) problems.push(`${t.name}.${d.field}: ${d.from} has no column ${w}`);
        }
      }
    }
  }
  if (problems.length > 0) {
    throw new Pg2ConvexError("CONFIG_INVALID", `invalid reference types: ${problems.join("; ")}`, { context: { problems } });
  }
}

/**
 * Every reference must join values the mirror can match exactly (reference-keys.ts: integers of any width, or the
 * same declared type). Checked once the definitions are well-formed and ordered, so a cycle is still reported as one.
 */
function validateReferenceTypes(tables: TableSet, byName: Map<string, TableDef>): void {
  const problems: string[] = [];
  for (const t of tables) {
    for (const r of t.references) {
      const parent = byName.get(r.table);
      const problem = parent && parent.primaryKey.length === 1 ? referenceKeyProblem(t, r, parent) : null;
      if (problem) problems.push(problem);
    }
  }
  if (problems.length > 0) {
    throw new Pg2ConvexError("CONFIG_INVALID", `invalid reference types: ${problems.join("; ")}`, {
      context: { problems },
      fix: "give each reference's column its parent key's type (integers of different widths are fine), or remove the reference",
    });
  }
}
