// The mirror's own invariants, recomputed from the Convex rows: reference ids and lookups (checked per
// document inside one Convex query: always a consistent view) and count/sum fields (stored values compared
// with the contributions of the children, summed here from parityFeeds / parityFeedFor pages).
import type { Value } from "convex/values";
import { fromNum, zero } from "../mirror-functions/apply/aggregates";
import type { AggregateDef, MirrorConfig, TableInfo } from "../mirror-functions/config";
import type { ChecksResult, FeedGroup, Violation } from "../mirror-functions/wire/parity-protocol";
import { sameValue } from "../mirror-functions/apply/row-store";
import type { TableDef } from "../definitions/types";
import type { ConvexParity } from "./convex-side";
import { viaId, type Key } from "../model/key";

type Num = number | bigint;
export type Sums = Record<string, Num>;

export interface FoundViolation extends Violation {
  kind: "derived" | "reference" | "lookup";
}

export interface InvariantPass {
  violations: FoundViolation[];
  unresolved: number;
  checked: number;
}

/** Children feeding `def`'s aggregates: (child table, via column, the aggregate definitions). */
export function feedsInto(config: MirrorConfig, def: TableDef): Array<{ child: TableDef; via: string; defs: readonly AggregateDef[] }> {
  return config.infos.flatMap((i) => i.feeds.filter((f) => f.parent.name === def.name).map((f) => ({ child: i.def, via: f.via, defs: f.defs })));
}

export const hasInvariants = (info: TableInfo) => info.refs.length + info.lookups.length + info.aggregates.length > 0;

/**
 * Totals of every child table's contributions: collected from the child's own full-mode scan when it had
 * one (parityScan with checks), otherwise read once per run with parityFeeds.
 */
export class FeedTotals {
  private readonly byChild = new Map<string, Promise<Map<string, Sums>>>();
  private readonly collecting = new Map<string, Map<string, Sums>>();
  constructor(private readonly convex: ConvexParity) {}

  /** Adds the groups of one page of `child`'s scan. */
  collect(child: TableDef, groups: readonly FeedGroup[]): void {
    let totals = this.collecting.get(child.name);
    if (!totals) this.collecting.set(child.name, (totals = new Map()));
    for (const g of groups) addInto(totals, viaId(g.parent, g.via, [g.key]), g.sums);
  }

  /** `child`'s scan is complete: its collected totals are the table's. */
  collected(child: TableDef): void {
    this.byChild.set(child.name, Promise.resolve(this.collecting.get(child.name) ?? new Map()));
  }

  /** parent name + via + parent key id → summed contributions. */
  of(child: TableDef): Promise<Map<string, Sums>> {
    let p = this.byChild.get(child.name);
    if (!p) this.byChild.set(child.name, (p = this.load(child)));
    return p;
  }

  private async load(child: TableDef): Promise<Map<string, Sums>> {
    const totals = new Map<string, Sums>();
    for await (const groups of this.convex.feeds(child.convexName)) for (const g of groups) addInto(totals, viaId(g.parent, g.via, [g.key]), g.sums);
    return totals;
  }
}

export function addInto(totals: Map<string, Sums>, id: string, sums: Sums): void {
  const into = totals.get(id) ?? {};
  for (const [f, n] of Object.entries(sums)) {
    const prev = into[f];
    into[f] = prev === undefined ? n : typeof prev === "bigint" ? prev + BigInt(n) : prev + Number(n);
  }
  totals.set(id, into);
}

/** Stored count/sum values of one parent row against the summed contributions of its children. */
export function aggregateViolations(config: MirrorConfig, info: TableInfo, key: Key, stored: Record<string, Value>, sums: Sums): FoundViolation[] {
  const out: FoundViolation[] = [];
  for (const d of info.aggregates) {
    const kind = info.numberKind(d.field);
    const expected = fromNum(sums[d.field] ?? zero(kind), kind);
    const actual = stored[d.field] ?? null;
    if (!sameValue(expected, actual) && !(inexact(config, d) && close(expected, actual))) out.push({ kind: "derived", key, field: d.field, expected, actual });
  }
  return out;
}

/** Sums of float or numeric columns are accumulated incrementally in Convex: allow rounding differences. */
function inexact(config: MirrorConfig, d: AggregateDef): boolean {
  if (d.kind !== "sum") return false;
  const type = config.table(d.from).def.columns.find((c) => c.name === d.column)?.type;
  return type === "float4" || type === "float8" || type === "numeric";
}

function close(a: Value, b: Value): boolean {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

const kindOfField = (info: TableInfo, field: string): FoundViolation["kind"] => (info.refs.some((r) => r.ref.field === field) ? "reference" : info.lookups.some((l) => l.d.field === field) ? "lookup" : "derived");

/** The stored count/sum values of a table's documents against its children's totals (full mode, after all scans). */
export async function storedAggregateViolations(config: MirrorConfig, totals: FeedTotals, info: TableInfo, stored: ReadonlyArray<{ key: Key; fields: Record<string, Value> }>): Promise<FoundViolation[]> {
  const feeds = feedsInto(config, info.def);
  const childTotals = await Promise.all(feeds.map((f) => totals.of(f.child)));
  return stored.flatMap((s) => {
    const sums: Sums = {};
    feeds.forEach((f, i) => Object.assign(sums, childTotals[i]!.get(viaId(info.def.name, f.via, s.key)) ?? {}));
    return aggregateViolations(config, info, s.key, s.fields, sums);
  });
}

/** Adds one page's invariant data (parityScan with checks) to a table's pass. */
export function addChecks(info: TableInfo, pass: InvariantPass, checks: ChecksResult, docs: number): void {
  pass.checked += docs;
  pass.unresolved += checks.unresolved;
  pass.violations.push(...checks.violations.map((v) => ({ ...v, kind: kindOfField(info, v.field) })));
}

/** The given documents only (sample mode, re-checks); aggregates summed from each row's own children. */
export async function keyInvariants(config: MirrorConfig, convex: ConvexParity, info: TableInfo, keys: Key[]): Promise<InvariantPass> {
  const out: InvariantPass = { violations: [], unresolved: 0, checked: 0 };
  const feeds = feedsInto(config, info.def);
  for (const page of await convex.docChecksFor(info.def.convexName, keys)) {
    out.checked += page.docs;
    out.unresolved += page.unresolved;
    out.violations.push(...page.violations.map((v) => ({ ...v, kind: kindOfField(info, v.field) })));
    for (const s of page.stored) {
      const totals = new Map<string, Sums>();
      for (const f of feeds) for (const part of await convex.feedFor(f.child.convexName, f.via, info.def.name, s.key[0] ?? null)) addInto(totals, "all", part);
      out.violations.push(...aggregateViolations(config, info, s.key, s.fields, totals.get("all") ?? {}));
    }
  }
  return out;
}
