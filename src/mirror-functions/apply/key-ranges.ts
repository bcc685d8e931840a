// How applyBatch reads many keys of one table with few index ranges (prefetch.ts), and how the planner counts
// those ranges (plan-cost.ts): both group a batch's sorted keys with keyGroups, so they agree by construction.
// Invariants:
//  - a table whose primary key is one integer column (int2/int4/int8) is read in groups spanning fewer than
//    INT_SPAN key values: by_pk holds one document per key, so such a range holds at most INT_SPAN documents and
//    is always read to its end (the count of ranges is an upper bound, whatever the table holds);
//  - any other range (other keys, tombstones, child scans) stops after RANGE_DOCS documents or when the read
//    budget runs low; keys after the last document read stay unknown and are read one by one when an op needs
//    them (each such read is one index range, counted, and guarded by applyBatch's per-op check).
import type { Value } from "convex/values";
import type { TableDef } from "../../definitions/types";
import { compareKeys, keyString, type Key } from "../../model/key";
import type { Usage } from "./usage";

/** Key values one range of a unique integer key spans at most (so it holds at most this many documents). */
export const INT_SPAN = 256;
/** Keys per range for keys that are not a single integer column. */
export const RANGE_KEYS = 64;
/** Documents one range of the other kind reads before giving up on it. */
export const RANGE_DOCS = 256;

const INTEGER = new Set(["int2", "int4", "int8"]);

/** True when `def`'s primary key is a single integer column (ranges over it are bounded by their span). */
export function integerKey(def: TableDef): boolean {
  if (def.primaryKey.length !== 1) return false;
  const c = def.columns.find((x) => x.name === def.primaryKey[0]);
  return c !== undefined && INTEGER.has(c.type) && !c.array;
}

/** The distinct keys of `keys`, in index (Convex value) order. */
export function sortedUnique(keys: readonly Key[]): Value[][] {
  // A transaction's inserts usually come in key order already: then there is nothing to dedupe or sort.
  let ascending = true;
  for (let i = 1; i < keys.length && ascending; i++) ascending = compareKeys(keys[i - 1]!, keys[i]!) < 0;
  if (ascending) return keys.map((k) => [...k]);
  const byString = new Map<string, Value[]>();
  for (const k of keys) byString.set(keyString(k), [...k]);
  return [...byString.values()].sort(compareKeys);
}

/** Consecutive runs of `sorted` read by one index range each: [first, last] positions, inclusive. */
export function keyGroups(sorted: readonly Key[], integer: boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    if (integer) {
      while (j + 1 < sorted.length && spanBelow(sorted[i]![0], sorted[j + 1]![0], INT_SPAN)) j++;
    } else {
      j = Math.min(i + RANGE_KEYS, sorted.length) - 1;
    }
    out.push([i, j]);
    i = j + 1;
  }
  return out;
}

/** hi − lo < span for two integer values (number or bigint); false for anything else. */
function spanBelow(lo: Value | undefined, hi: Value | undefined, span: number): boolean {
  // Two safe integers subtract exactly as numbers (no BigInt per pair).
  if (typeof lo === "number" && typeof hi === "number") return Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && hi - lo < span;
  const a = bigIntOf(lo);
  const b = bigIntOf(hi);
  return a !== null && b !== null && b - a < BigInt(span);
}

const bigIntOf = (v: Value | undefined): bigint | null => (typeof v === "bigint" ? v : typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : null);

/** Reads one index range in order, stopping after `cap` documents or when the read budget runs low. */
export async function readRange<T>(usage: Usage, query: AsyncIterable<T>, cap: number): Promise<{ docs: T[]; done: boolean }> {
  usage.queries += 1;
  const docs: T[] = [];
  for await (const doc of query) {
    docs.push(doc);
    usage.read([doc as Record<string, Value>]);
    if (docs.length >= cap || !usage.canRead()) return { docs, done: false };
  }
  return { docs, done: true };
}
