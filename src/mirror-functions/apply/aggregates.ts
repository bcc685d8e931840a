// count/sum fields, maintained incrementally. Invariant (for every stored parent row P and each of its
// aggregates): P.field = Σ contribution(child) over the stored children whose `via` equals P's key (as
// PostgreSQL compares them: across integer types by value, reference-keys.ts).
// It holds because every change to a child row passes through applyFeeds (old contribution out of the
// old parent, new one into the new parent), and a parent row that appears computes its fields from
// scratch (links.ts, adoptChildren). Parents absent at the time of a child change are simply skipped.
import type { Value } from "convex/values";
import type { TableDef } from "../../definitions/types";
import type { AggregateDef, NumberKind, TableInfo } from "../config";
import type { MirrorTx } from "./mirror-tx";
import type { Fields } from "./row-store";

type Num = number | bigint;

export const zero = (kind: NumberKind): Num => (kind === "bigint" ? 0n : 0);

/** A stored or incoming value as a number of the aggregate's kind; NULL counts as 0. */
export function toNum(value: Value | undefined, kind: NumberKind): Num {
  if (value === null || value === undefined) return zero(kind);
  if (kind === "bigint") {
    if (typeof value === "bigint") return value;
    const n = Number(value);
    return Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
  }
  return typeof value === "bigint" || typeof value === "string" || typeof value === "number" ? Number(value) : 0;
}

export const fromNum = (n: Num, kind: NumberKind): Value => (kind === "string" ? String(n) : n);

const add = (a: Num, b: Num): Num => (typeof a === "bigint" ? a + BigInt(b) : a + Number(b));
const neg = (a: Num): Num => (typeof a === "bigint" ? -a : -a);

/** What one child row adds to `d` on its parent (0 for a missing row). */
export function contribution(d: AggregateDef, row: Fields | null, kind: NumberKind): Num {
  if (!row) return zero(kind);
  if (d.kind === "sum") return toNum(row[d.column], kind);
  const matches = Object.entries(d.where ?? {}).every(([c, want]) => (row[c] ?? null) === want);
  return matches ? (kind === "bigint" ? 1n : 1) : zero(kind);
}

/** Moves the child's contributions from the parents of `before` to the parents of `after`. */
export async function applyFeeds(tx: MirrorTx, info: TableInfo, before: Fields | null, after: Fields | null): Promise<void> {
  for (const feed of info.feeds) {
    const kindOf = tx.config.table(feed.parent.name).numberKind;
    const oldKey = before?.[feed.via] ?? null;
    const newKey = after?.[feed.via] ?? null;
    const out = feed.defs.map((d) => [d, contribution(d, before, kindOf(d.field))] as const);
    const into = feed.defs.map((d) => [d, contribution(d, after, kindOf(d.field))] as const);
    // The child's values as the parent's key type (reference-keys.ts); null when no parent can have them.
    const oldParent = oldKey === null ? null : feed.keys.toParent(oldKey);
    const newParent = newKey === null ? null : feed.keys.toParent(newKey);
    if (before && after && tx.sameKey(oldKey, newKey)) {
      await adjust(
        tx,
        feed.parent,
        newParent,
        out.map(([d, c], i) => [d, add(into[i]![1], neg(c))] as const),
      );
    } else {
      if (before)
        await adjust(
          tx,
          feed.parent,
          oldParent,
          out.map(([d, c]) => [d, neg(c)] as const),
        );
      if (after) await adjust(tx, feed.parent, newParent, into);
    }
  }
}

async function adjust(tx: MirrorTx, parent: TableDef, key: Value, deltas: ReadonlyArray<readonly [AggregateDef, Num]>): Promise<void> {
  const changes = deltas.filter(([, n]) => n !== 0 && n !== 0n);
  if (key === null || changes.length === 0) return;
  const row = await tx.rows.row(parent, [key]);
  if (!row) return;
  const kindOf = tx.config.table(parent.name).numberKind;
  const fields: Fields = {};
  for (const [d, n] of changes) fields[d.field] = fromNum(add(toNum(row[d.field], kindOf(d.field)), n), kindOf(d.field));
  tx.rows.setFields(parent, row, fields);
}

/** Placeholder values for a parent row about to be inserted (adoptChildren sets the real ones). */
export function zeroAggregates(info: TableInfo): Fields {
  return Object.fromEntries(info.aggregates.map((d) => [d.field, fromNum(zero(info.numberKind(d.field)), info.numberKind(d.field))]));
}

/** Accumulates a parent's aggregates from its children, as found by an index scan. */
export class AggregateSum {
  private readonly totals = new Map<string, Num>();
  constructor(private readonly info: TableInfo) {
    for (const d of info.aggregates) this.totals.set(d.field, zero(info.numberKind(d.field)));
  }
  addChildren(child: TableDef, via: string, rows: readonly Fields[]): void {
    for (const d of this.info.aggregates) {
      if (d.from !== child.name || d.via !== via) continue;
      const kind = this.info.numberKind(d.field);
      for (const r of rows) this.totals.set(d.field, add(this.totals.get(d.field) ?? zero(kind), contribution(d, r, kind)));
    }
  }
  fields(): Fields {
    return Object.fromEntries([...this.totals].map(([f, n]) => [f, fromNum(n, this.info.numberKind(f))]));
  }
}
