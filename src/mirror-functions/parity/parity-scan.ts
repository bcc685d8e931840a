// Reading a primary-key range of a mirrored table in key order, page by page, inside a query's budget.
// Invariants: documents are visited in by_pk order; a page stops only between two different keys (so a
// continuation `after = last` never skips a duplicate document of the last key); a page never reads more
// than PARITY_LIMITS allow, plus one document to detect the stop.
//
// A tuple bound (k1..kn) > (x1..xn) is not one index range, so it is walked as n ranges in order:
//   k1=x1 … kn-1=xn-1, kn > xn   then   k1=x1 … kn-2=xn-2, kn-1 > xn-1   …   then   k1 > x1
// (the first one inclusive for an inclusive bound). The upper bound is checked per document.
import type { GenericDataModel, GenericQueryCtx } from "convex/server";
import { getDocumentSize, type Value } from "convex/values";
import type { TableDef } from "../../definitions/types";
import { PK_INDEX } from "../names";
import { compareKeys, keyOfDoc, type Key } from "../../model/key";
import { PARITY_LIMITS } from "../wire/parity-protocol";

type Ctx = GenericQueryCtx<GenericDataModel>;
export type Doc = Record<string, Value | undefined>;

export interface ScanBudget {
  docs: number;
  bytes: number;
}

export interface ScanOptions {
  from: { key: Key; inclusive: boolean } | null;
  hi: Key | null;
  /** The upper bound is inclusive (default exclusive). */
  hiInclusive?: boolean;
  budget: ScanBudget;
  /** Asked before each new key once the page has read something: true ends the page there. */
  stop?: () => boolean;
}

/**
 * Visits documents with from < key (or ≤) and key < hi. Returns done=true when the range is exhausted,
 * false when the budget ran out; `last` is the key of the last document visited.
 */
export async function scanRange(ctx: Ctx, def: TableDef, opts: ScanOptions, visit: (doc: Doc, key: Key) => void | Promise<void>): Promise<{ last: Key | null; done: boolean; docs: number; bytes: number }> {
  let docs = 0;
  let bytes = 0;
  let last: Key | null = null;
  const beyond = (key: Key) => opts.hi !== null && compareKeys(key, opts.hi) >= (opts.hiInclusive ? 1 : 0);
  for (const range of indexRanges(def, opts.from, opts.hi, opts.hiInclusive === true)) {
    for await (const raw of ctx.db.query(def.convexName).withIndex(PK_INDEX, range as any)) {
      const doc = raw as Doc;
      const key = keyOfDoc(def, doc);
      if (beyond(key)) return { last, done: true, docs, bytes };
      const full = docs >= opts.budget.docs || bytes >= opts.budget.bytes || (docs > 0 && opts.stop?.() === true);
      if (full && last && compareKeys(key, last) !== 0) return { last, done: false, docs, bytes };
      docs++;
      bytes += getDocumentSize(raw as any);
      last = key;
      await visit(doc, key);
    }
  }
  return { last, done: true, docs, bytes };
}

type RangeFn = (q: any) => any;

function indexRanges(def: TableDef, from: ScanOptions["from"], hi: Key | null, hiInclusive: boolean): RangeFn[] {
  const pk = def.primaryKey;
  // Bounding the first column from above keeps the backend from reading past the range.
  const cap = (q: any, i: number) => (i === 0 && hi ? (pk.length === 1 && !hiInclusive ? q.lt(pk[0], hi[0]) : q.lte(pk[0], hi[0])) : q);
  if (!from) return [(q) => cap(q, 0)];
  const out: RangeFn[] = [];
  for (let i = pk.length - 1; i >= 0; i--) {
    const inclusive = from.inclusive && i === pk.length - 1;
    out.push((q) => {
      let r = q;
      for (let j = 0; j < i; j++) r = r.eq(pk[j], from.key[j] ?? null);
      r = inclusive ? r.gte(pk[i], from.key[i] ?? null) : r.gt(pk[i], from.key[i] ?? null);
      return cap(r, i);
    });
  }
  return out;
}

/** The budget for one page: what the caller asked, never more than PARITY_LIMITS. */
export function pageBudget(maxDocs: number | undefined, docsCap: number = PARITY_LIMITS.docsPerQuery): ScanBudget {
  const docs = Math.max(1, Math.min(Math.floor(maxDocs ?? docsCap), docsCap));
  return { docs, bytes: PARITY_LIMITS.bytesPerQuery };
}

/** Index of the segment holding `key`: the number of bounds ≤ key (bounds sorted ascending). */
export function segmentOf(bounds: readonly Key[], key: Key): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(bounds[mid]!, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
