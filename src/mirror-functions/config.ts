// Everything applyBatch needs to know about one mirrored table, precomputed once from the definitions.
// Invariants checked here (on top of buildGraph's): derived fields are never primary-key or reference
// columns (they are written lazily and must not be indexed), and no derived value depends on another
// derived value (a change to a derived field never triggers further maintenance).
import { Pg2ConvexError } from "../errors";
import { buildGraph, type TableGraph } from "../definitions/graph";
import { IDENTITY, referenceKeys, type ReferenceKeys } from "../definitions/reference-keys";
import type { DerivedDef, ReferenceDef, TableDef, TableSet } from "../definitions/types";
import { checkNames } from "./names";

export type AggregateDef = Extract<DerivedDef, { kind: "count" | "sum" }>;
export type LookupDef = Extract<DerivedDef, { kind: "lookup" }>;

/** How an aggregate value is stored: int8 columns hold bigint, numeric columns strings, all else numbers. */
export type NumberKind = "number" | "bigint" | "string";

export interface TableInfo {
  readonly def: TableDef;
  /** Fields of this table that applyBatch computes (count, sum, lookup); incoming values are dropped. */
  readonly derivedFields: ReadonlySet<string>;
  /**
   * References whose parent is mirrored (self-references included). `keys` turns this table's column value into
   * the parent's key and back (reference-keys.ts): every look-up across a reference goes through it.
   */
  readonly refs: ReadonlyArray<{ ref: ReferenceDef; parent: TableDef; keys: ReferenceKeys }>;
  /** Lookups of this table, with the reference they go through. */
  readonly lookups: ReadonlyArray<{ d: LookupDef; ref: ReferenceDef; parent: TableDef; keys: ReferenceKeys }>;
  /** count/sum fields this table maintains as a parent. */
  readonly aggregates: readonly AggregateDef[];
  /** Aggregates of parents this table feeds, grouped by the child column that names the parent. */
  readonly feeds: ReadonlyArray<{ parent: TableDef; via: string; defs: readonly AggregateDef[]; keys: ReferenceKeys }>;
  /** Mirrored children referencing this table; each is one index scan when this row appears or goes. */
  readonly children: ReadonlyArray<{ child: TableDef; ref: ReferenceDef; keys: ReferenceKeys }>;
  numberKind(field: string): NumberKind;
}

export interface MirrorConfig {
  readonly graph: TableGraph;
  /** Resolves an op's table: PostgreSQL name first, then Convex name. Throws for unknown tables. */
  table(name: string): TableInfo;
  readonly infos: readonly TableInfo[];
}

const cache = new WeakMap<TableSet, MirrorConfig>();

export function mirrorConfig(tables: TableSet): MirrorConfig {
  const hit = cache.get(tables);
  if (hit) return hit;
  const graph = buildGraph(tables);
  checkNames(tables);
  checkDerived(graph, tables);
  const infos = new Map(tables.map((t) => [t.name, tableInfo(graph, tables, t)]));
  const config: MirrorConfig = {
    graph,
    infos: [...infos.values()],
    table(name) {
      const def = graph.byName(name) ?? graph.byConvexName(name);
      const info = def && infos.get(def.name);
      if (!info) throw new Pg2ConvexError("UNKNOWN_TABLE", `table ${JSON.stringify(name)} is not mirrored by this deployment`, { context: { table: name } });
      return info;
    },
  };
  cache.set(tables, config);
  return config;
}

function tableInfo(graph: TableGraph, tables: TableSet, def: TableDef): TableInfo {
  const parentOf = (ref: ReferenceDef) => graph.byName(ref.table);
  const refs = def.references.flatMap((ref) => {
    const parent = parentOf(ref);
    return parent ? [{ ref, parent, keys: referenceKeys(def, ref, parent) }] : [];
  });
  const lookups = def.derived.flatMap((d) => {
    if (d.kind !== "lookup") return [];
    const link = refs.find((r) => r.ref.column === d.via);
    return link ? [{ d, ...link }] : [];
  });
  const feeds: Array<{ parent: TableDef; via: string; defs: AggregateDef[]; keys: ReferenceKeys }> = [];
  for (const parent of tables) {
    for (const d of parent.derived) {
      if (d.kind === "lookup" || d.from !== def.name) continue;
      const group = feeds.find((f) => f.parent === parent && f.via === d.via);
      // buildGraph checked that `via` is a declared reference of this table to `parent`.
      const ref = def.references.find((r) => r.column === d.via && r.table === parent.name);
      if (group) group.defs.push(d);
      else feeds.push({ parent, via: d.via, defs: [d], keys: ref ? referenceKeys(def, ref, parent) : IDENTITY });
    }
  }
  const kinds = new Map(def.columns.map((c) => [c.name, c.type === "int8" ? "bigint" : c.type === "numeric" ? "string" : "number"] as const));
  return {
    def,
    derivedFields: new Set(def.derived.map((d) => d.field)),
    refs,
    lookups,
    aggregates: def.derived.filter((d): d is AggregateDef => d.kind !== "lookup"),
    feeds,
    children: graph.childrenOf(def.name).map(({ child, ref }) => ({ child, ref, keys: referenceKeys(child, ref, def) })),
    numberKind: (field) => kinds.get(field) ?? "number",
  };
}

function checkDerived(graph: TableGraph, tables: TableSet): void {
  const problems: string[] = [];
  const derivedOf = (name: string) => new Set(graph.byName(name)?.derived.map((d) => d.field) ?? []);
  for (const t of tables) {
    const indexed = new Set([...t.primaryKey, ...t.references.map((r) => r.column)]);
    for (const d of t.derived) {
      if (indexed.has(d.field)) problems.push(`${t.name}.${d.field}: a derived field cannot be a primary-key or reference column`);
      if (d.kind === "lookup") {
        const parent = t.references.find((r) => r.column === d.via)?.table;
        if (parent && derivedOf(parent).has(d.column)) problems.push(`${t.name}.${d.field}: looks up ${parent}.${d.column}, itself derived`);
      } else {
        const childDerived = derivedOf(d.from);
        const used = [d.via, ...(d.kind === "sum" ? [d.column] : Object.keys(d.where ?? {}))];
        for (const c of used) if (childDerived.has(c)) problems.push(`${t.name}.${d.field}: depends on ${d.from}.${c}, itself derived`);
      }
    }
  }
  if (problems.length > 0) throw new Pg2ConvexError("CONFIG_INVALID", `invalid derived fields:\n  - ${problems.join("\n  - ")}`, { context: { problems } });
}
