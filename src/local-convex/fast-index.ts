// Per-database lookup structures for the patched convex-test (see ./fast-convex-test.ts). One
// FastIndex hangs off each DatabaseFake; the patched methods call it at the points listed there.
//
// Invariants (what keeps query results identical to stock convex-test):
//  - `TableState.ids` holds exactly the committed ids of the table (the keys of `_documents` whose
//    table is this one), in the order they first appeared in `_documents`, so iteration order equals
//    stock's `Object.keys(_documents).filter(isInTable)`.
//  - Every write level (an element of `_writes`) carries, under a non-enumerable symbol, the ids it
//    holds per table in the order they were first written at that level (= `Object.keys(level)`).
//  - `sorted` caches hold the committed documents of a table in exactly the order stock's (stable)
//    sort gives them when visited in committed order, and are used only while no write level holds
//    a write for the table, i.e. when stock would visit exactly those documents in that order.
//    Filtering commutes with a stable sort. Every sort key ends in a field unique per document
//    (_id, or _creationTime, which convex-test keeps strictly increasing), so the order is total and
//    one sorted array is the only answer: a commit's changes are merged in by binary search (a full
//    re-sort per commit made each range read O(n log n) in the table's size), and any surprise (a
//    tie, a document not where the order puts it) drops the cache for a full sort instead.
//  - Hash buckets only ever over-approximate: every visible document whose index prefix equals a key
//    is found in that key's committed bucket or in a bucket of the level holding its newest version.
//    Candidates are re-checked with convex-test's own evaluateRangeFilter, so stale pending entries
//    and coarse keys (all NaNs share one) can cost time, never correctness.
import { CommitTsPlaceholder, compareValues, type Value } from "convex/values";

/** The DatabaseFake internals FastIndex reads (names as in convex-test 0.0.60's dist/index.js). */
export interface FakeDb {
  _documents: Record<string, unknown>;
  _schema: { tables: Map<string, { indexes: { indexDescriptor: string; fields: string[] }[] }> } | null;
}
/** Module-private helpers of convex-test, exported by the patch. */
export interface Internals {
  evaluateFieldPath(fieldPath: string, doc: unknown): unknown;
  evaluateQueryValue(value: unknown): unknown;
  tableNameFromId(id: string): string | null;
}
export interface RangeExpr {
  type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte";
  fieldPath: string;
  value: unknown;
}
type Level = Record<string, unknown>;
type Bucket = string | Set<string>;

const LEVEL = Symbol("pg2convex.levelIndex");
const BEFORE = -1;
const INSIDE = 0;
const AFTER = 1;
const MAX_INT64 = 2n ** 63n - 1n;

interface LevelState {
  /** table → ids written at this level, first-write order. */
  ids: Map<string, Set<string>>;
  /** `${table}\0${index}\0${prefixLen}\0${key}` → ids written at this level with that prefix (may be stale). */
  buckets: Map<string, Set<string>>;
}
interface HashIndex {
  name: string;
  /** Declared fields only (not the implicit _creationTime, _id). */
  fields: string[];
  /** byPrefix[m-1]: key of the first m fields → committed ids. */
  byPrefix: Map<string, Bucket>[];
}
interface TableState {
  ids: Set<string>;
  indexes: HashIndex[];
}

export class FastIndex {
  private readonly tables = new Map<string, TableState>();
  /** table → `${order}\0${fields}` → committed docs, sorted, and the commits not yet merged in. */
  private readonly sortedCache = new Map<string, Map<string, SortedDocs>>();

  constructor(
    private readonly db: FakeDb,
    private readonly internals: Internals,
  ) {}

  /** After `_writes[top][id] = value` (called for every write, including nested-commit merges). */
  onWrite(level: Level, id: string, value: unknown): void {
    const table = this.internals.tableNameFromId(id);
    if (table === null) return; // stock's isInTable filter never matches such an id either
    const state = levelState(level);
    let ids = state.ids.get(table);
    if (ids === undefined) state.ids.set(table, (ids = new Set()));
    ids.add(id);
    if (value === null) return;
    for (const index of this.table(table).indexes) {
      this.forEachPrefixKey(index, value, (m, key) => {
        const k = `${table}\0${index.name}\0${m}\0${key}`;
        let set = state.buckets.get(k);
        if (set === undefined) state.buckets.set(k, (set = new Set()));
        set.add(id);
      });
    }
  }

  /** Around the outermost commit of one id: `before`/`after` are `_documents[id]` (undefined = absent). */
  onCommit(id: string, before: unknown, after: unknown): void {
    const table = this.internals.tableNameFromId(id);
    if (table === null) return;
    const t = this.table(table);
    const cached = this.sortedCache.get(table);
    if (cached !== undefined) {
      for (const [key, entry] of cached) {
        const change = entry.pending.get(id);
        // The first `before` is the document the array holds; the last `after` is the one to merge.
        if (change === undefined) entry.pending.set(id, { before, after });
        else change.after = after;
        // Past a quarter of the table, a full sort is as cheap as merging: stop collecting.
        if (entry.pending.size > 64 + entry.docs.length / 4) cached.delete(key);
      }
    }
    for (const index of t.indexes) {
      if (before !== undefined) this.forEachPrefixKey(index, before, (m, key) => bucketDelete(index.byPrefix[m - 1]!, key, id));
      if (after !== undefined) this.forEachPrefixKey(index, after, (m, key) => bucketAdd(index.byPrefix[m - 1]!, key, id));
    }
    if (after === undefined) t.ids.delete(id);
    else t.ids.add(id); // no-op when present: keeps the original position, like an object key
  }

  /** The ids stock `_iterateDocs` visits, in the same order: committed, then pending level by level. */
  *tableIds(table: string, writes: Level[]): Generator<string> {
    const committed = this.table(table).ids;
    yield* committed;
    const seen = new Set<string>();
    for (const level of writes) {
      for (const id of peekLevel(level)?.ids.get(table) ?? []) {
        if (committed.has(id) || seen.has(id)) continue;
        seen.add(id);
        yield id;
      }
    }
  }

  /**
   * A superset of the ids (all in `table`) that can satisfy `range`, or null to take the stock scan.
   * Used when the range starts with at least one `eq` on a schema index (or by_id); the prefix used
   * is the leading eq's on declared fields, the rest of `range` is left to the caller's re-check.
   */
  candidates(table: string, indexName: string, range: RangeExpr[], writes: Level[]): Iterable<string> | null {
    let eqs = 0;
    while (eqs < range.length && range[eqs]!.type === "Eq") eqs++;
    if (eqs === 0) return null;
    if (indexName === "by_id") {
      const id = this.internals.evaluateQueryValue(range[0]!.value);
      if (typeof id !== "string") return [];
      return this.table(table).ids.has(id) || writes.some((l) => peekLevel(l)?.ids.get(table)?.has(id)) ? [id] : [];
    }
    const index = this.table(table).indexes.find((i) => i.name === indexName);
    if (index === undefined) return null; // by_creation_time
    const m = Math.min(eqs, index.fields.length);
    for (let i = 0; i < m; i++) if (range[i]!.fieldPath !== index.fields[i]) return null; // validated upstream; be safe
    const key = prefixKey(range.slice(0, m).map((r) => this.internals.evaluateQueryValue(r.value)));
    const out = new Set<string>();
    const committed = index.byPrefix[m - 1]!.get(key);
    if (typeof committed === "string") out.add(committed);
    else if (committed !== undefined) for (const id of committed) out.add(id);
    const k = `${table}\0${index.name}\0${m}\0${key}`;
    for (const level of writes) for (const id of peekLevel(level)?.buckets.get(k) ?? []) out.add(id);
    return out;
  }

  /**
   * The table's committed documents sorted by `sort` (stock's comparator for `fields`/`order`),
   * cached and kept in step with commits; null while any write level holds a write for it.
   */
  sorted(table: string, fields: string[], order: string, writes: Level[], sort: (docs: unknown[]) => void): readonly unknown[] | null {
    if (writes.some((level) => (peekLevel(level)?.ids.get(table)?.size ?? 0) > 0)) return null;
    let byKey = this.sortedCache.get(table);
    if (byKey === undefined) this.sortedCache.set(table, (byKey = new Map()));
    const key = `${order}\0${fields.join("\0")}`;
    const entry = byKey.get(key);
    if (entry !== undefined && entry.pending.size === 0) return entry.docs;
    const merged = entry === undefined ? null : mergeChanges(entry, this.comparator(fields, order));
    if (merged !== null) {
      byKey.set(key, { docs: merged, pending: new Map() });
      return merged;
    }
    const all = Array.from(this.table(table).ids, (id) => this.db._documents[id]);
    sort(all);
    byKey.set(key, { docs: all, pending: new Map() });
    return all;
  }

  /** Stock's sort comparator (__pg2convexSortDocs) for `fields` in `order`. */
  private comparator(fields: string[], order: string): (a: unknown, b: unknown) => number {
    const sign = order === "asc" ? 1 : -1;
    const { evaluateFieldPath } = this.internals;
    return (a, b) => {
      for (const fp of fields) {
        const v = compareValues(evaluateFieldPath(fp, a) as Value, evaluateFieldPath(fp, b) as Value);
        if (v !== 0) return v * sign;
      }
      return 0;
    };
  }

  /**
   * [lo, hi) of `docs` (sorted by the index fields in `order`) outside which no document satisfies
   * `range`. Relative to the range every document is before it, inside it or after it; along an
   * index order that class never goes back (B* I* A*, reversed for desc), so two binary searches
   * find the inside run. The caller still checks each document in it with evaluateRangeFilter.
   */
  rangeBounds(docs: readonly unknown[], range: RangeExpr[], order: string): [number, number] {
    if (range.length === 0) return [0, docs.length];
    const values = range.map((r) => this.internals.evaluateQueryValue(r.value));
    const classify = (doc: unknown): number => {
      for (let i = 0; i < range.length; i++) {
        const r = range[i]!;
        const c = compareValues(this.internals.evaluateFieldPath(r.fieldPath, doc) as Value, values[i] as Value);
        if ((r.type === "Eq" && c < 0) || (r.type === "Gt" && c <= 0) || (r.type === "Gte" && c < 0)) return BEFORE;
        if ((r.type === "Eq" && c > 0) || (r.type === "Lt" && c >= 0) || (r.type === "Lte" && c > 0)) return AFTER;
      }
      return INSIDE;
    };
    const sign = order === "asc" ? 1 : -1;
    // First position whose class, in scan direction, is at least `atLeast`.
    const first = (atLeast: number): number => {
      let lo = 0;
      let hi = docs.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (classify(docs[mid]) * sign >= atLeast) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    return order === "asc" ? [first(INSIDE), first(AFTER)] : [first(-INSIDE), first(-BEFORE)];
  }

  private table(name: string): TableState {
    let t = this.tables.get(name);
    if (t === undefined) {
      const declared = this.db._schema?.tables.get(name)?.indexes ?? [];
      const indexes = declared.map(({ indexDescriptor, fields }) => ({ name: indexDescriptor, fields, byPrefix: fields.map(() => new Map<string, Bucket>()) }));
      this.tables.set(name, (t = { ids: new Set(), indexes }));
    }
    return t;
  }

  private forEachPrefixKey(index: HashIndex, doc: unknown, cb: (m: number, key: string) => void): void {
    let key = "";
    for (let i = 0; i < index.fields.length; i++) {
      key += part(valueKey(this.internals.evaluateFieldPath(index.fields[i]!, doc)));
      cb(i + 1, key);
    }
  }
}

interface SortedDocs {
  /** Changed in place by applyInPlace: a caller holds it only while it reads, never across a commit. */
  docs: unknown[];
  /** id → its committed document when `docs` was sorted (undefined: absent) and now. */
  pending: Map<string, { before: unknown; after: unknown }>;
}

/** Up to `spliceMax` changes are spliced into the array in place (a memmove each); more are merged by one copy. Tests lower it to cover both. */
export const sortedMerge = { spliceMax: 128 };

/**
 * `entry.docs` with its pending commits applied, in the same total order, or null when the order turns
 * out not to be total or a document is not where it should be (the caller sorts from scratch; an array
 * left half-changed is dropped with the entry).
 */
function mergeChanges(entry: SortedDocs, compare: (a: unknown, b: unknown) => number): unknown[] | null {
  return entry.pending.size <= sortedMerge.spliceMax ? applyInPlace(entry, compare) : mergeByCopy(entry, compare);
}

function applyInPlace(entry: SortedDocs, compare: (a: unknown, b: unknown) => number): unknown[] | null {
  const { docs } = entry;
  for (const { before } of entry.pending.values()) {
    if (before === undefined) continue;
    const at = lowerBound(docs, before, compare);
    if (docs[at] !== before) return null;
    docs.splice(at, 1);
  }
  for (const { after } of entry.pending.values()) {
    if (after === undefined) continue;
    const at = lowerBound(docs, after, compare);
    if (at < docs.length && compare(docs[at], after) === 0) return null;
    docs.splice(at, 0, after);
  }
  return docs;
}

function mergeByCopy(entry: SortedDocs, compare: (a: unknown, b: unknown) => number): unknown[] | null {
  const { docs } = entry;
  const removed: number[] = [];
  const added: unknown[] = [];
  for (const { before, after } of entry.pending.values()) {
    if (before !== undefined) {
      const at = lowerBound(docs, before, compare);
      if (docs[at] !== before) return null;
      removed.push(at);
    }
    if (after !== undefined) added.push(after);
  }
  removed.sort((a, b) => a - b);
  added.sort(compare);
  for (let i = 1; i < added.length; i++) if (compare(added[i - 1], added[i]) === 0) return null;
  const out: unknown[] = new Array(docs.length - removed.length + added.length);
  let o = 0;
  let next = 0;
  let r = 0;
  // Copies docs[next, to) to `out`, leaving out the removed positions.
  const copyTo = (to: number) => {
    for (; next < to; next++) {
      if (r < removed.length && removed[r] === next) r++;
      else out[o++] = docs[next];
    }
  };
  for (const doc of added) {
    const at = lowerBound(docs, doc, compare);
    copyTo(at);
    // A tie with a document that stays would leave the order to insertion: not total, sort instead.
    if (at < docs.length && (r >= removed.length || removed[r] !== at) && compare(docs[at], doc) === 0) return null;
    out[o++] = doc;
  }
  copyTo(docs.length);
  return out;
}

/** First position in sorted `docs` whose document is not before `doc`. */
function lowerBound(docs: readonly unknown[], doc: unknown, compare: (a: unknown, b: unknown) => number): number {
  let lo = 0;
  let hi = docs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(docs[mid], doc) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function peekLevel(level: Level): LevelState | undefined {
  return (level as { [LEVEL]?: LevelState })[LEVEL];
}

function levelState(level: Level): LevelState {
  let s = peekLevel(level);
  if (s === undefined) {
    s = { ids: new Map(), buckets: new Map() };
    // Non-enumerable symbol: invisible to the Object.entries/Object.keys calls in commit and scans.
    Object.defineProperty(level, LEVEL, { value: s, enumerable: false });
  }
  return s;
}

function bucketAdd(map: Map<string, Bucket>, key: string, id: string): void {
  const b = map.get(key);
  if (b === undefined) map.set(key, id);
  else if (typeof b === "string") {
    if (b !== id) map.set(key, new Set([b, id]));
  } else b.add(id);
}

function bucketDelete(map: Map<string, Bucket>, key: string, id: string): void {
  const b = map.get(key);
  if (b === id) map.delete(key);
  else if (typeof b === "object") {
    b.delete(id);
    if (b.size === 1) map.set(key, b.values().next().value!);
  }
}

function prefixKey(values: unknown[]): string {
  return values.map((v) => part(valueKey(v))).join("");
}

/** Length-prefixed, so concatenations are unambiguous. */
function part(s: string): string {
  return `${s.length}:${s}`;
}

/**
 * A string key such that compareValues(a, b) === 0 implies valueKey(a) === valueKey(b) (the converse
 * holds except for NaN payloads, which share one key). Mirrors convex/values compareValues: type
 * tags (undefined < null < bigint < number < boolean < string < bytes < array < object), numbers by
 * Object.is (so -0 ≠ 0), strings by code points, objects by sorted keys incl. undefined-valued ones.
 */
export function valueKey(v: unknown): string {
  if (v === undefined) return "u";
  if (v === null) return "n";
  switch (typeof v) {
    case "bigint":
      return `b${v}`;
    case "number":
      return Number.isNaN(v) ? "fNaN" : Object.is(v, -0) ? "f-0" : `f${v}`;
    case "boolean":
      return v ? "T" : "F";
    case "string":
      return `s${v}`;
  }
  if (v instanceof CommitTsPlaceholder) return `b${MAX_INT64}`;
  if (v instanceof ArrayBuffer) return `y${Buffer.from(v).toString("hex")}`;
  if (Array.isArray(v)) return `a${v.map((x) => part(valueKey(x))).join("")}`;
  const o = v as Record<string, unknown>;
  return `o${Object.keys(o)
    .sort()
    .map((k) => part(k) + part(valueKey(o[k])))
    .join("")}`;
}
