// Parity reads for the mirror's own invariants (links.ts, aggregates.ts), recomputed from the Convex rows:
//  - DocChecker: per document, each reference id equals the _id of the parent with the raw key (unset when
//    there is none: counted as unresolved), each lookup equals the parent's column (null when none), and
//    the stored count/sum values are collected for the checker to compare;
//  - FeedSums: the count/sum contributions of child rows, grouped by parent key;
//  - parityFeedFor: the contributions of one parent's children (sample mode), one index range, paged.
// parityScan runs DocChecker and FeedSums in its own pass when asked (full mode reads each table once).
import type { GenericDataModel, GenericQueryCtx } from "convex/server";
import type { Value } from "convex/values";
import { Pg2ConvexError } from "../../errors";
import { contribution } from "../apply/aggregates";
import type { MirrorConfig, TableInfo } from "../config";
import { keyOfDoc, rowId, viaId, type Key } from "../../model/key";
import { indexFor, PK_INDEX } from "../names";
import { PARITY_LIMITS, type ChecksResult, type DocChecks, type FeedGroup, type Violation } from "../wire/parity-protocol";
import { pageBudget, scanRange, type Doc } from "./parity-scan";
import { sameValue } from "../apply/row-store";

type Ctx = GenericQueryCtx<GenericDataModel>;
type Num = number | bigint;

export class DocChecker {
  readonly out: ChecksResult = { violations: [], more: 0, unresolved: 0, stored: [] };
  /** Index ranges opened for parents (one per distinct parent key). */
  ranges = 0;
  private readonly parents = new Map<string, Doc | null>();

  constructor(
    private readonly ctx: Ctx,
    readonly info: TableInfo,
  ) {}

  /** Index ranges one more document may cost. */
  get perDoc(): number {
    return this.info.refs.length + this.info.lookups.length;
  }

  async check(doc: Doc, key: Key): Promise<void> {
    const { info, out } = this;
    for (const { ref, parent: p, keys } of info.refs) {
      const raw = doc[ref.column] ?? null;
      const row = raw === null ? null : await this.parent(p, keys.toParent(raw));
      if (raw !== null && !row) out.unresolved++;
      const expected = row ? (row._id as Value) : undefined;
      if (!sameValue(expected, doc[ref.field])) this.note({ key, field: ref.field, expected: expected ?? null, actual: doc[ref.field] ?? null });
    }
    for (const { d, ref, parent: p, keys } of info.lookups) {
      const raw = doc[ref.column] ?? null;
      const row = raw === null ? null : await this.parent(p, keys.toParent(raw));
      const expected = row ? (row[d.column] ?? null) : null;
      if (!sameValue(expected, doc[d.field] ?? null)) this.note({ key, field: d.field, expected, actual: doc[d.field] ?? null });
    }
    if (info.aggregates.length > 0) out.stored.push({ key, fields: Object.fromEntries(info.aggregates.map((a) => [a.field, doc[a.field] ?? null])) });
  }

  /** The parent with key `raw` (already the parent key's type; null: no parent can have it). */
  private async parent(table: TableInfo["refs"][number]["parent"], raw: Value | null): Promise<Doc | null> {
    if (raw === null) return null;
    const id = rowId(table.name, [raw]);
    if (!this.parents.has(id)) {
      this.ranges++;
      this.parents.set(
        id,
        (await this.ctx.db
          .query(table.convexName)
          .withIndex(PK_INDEX, (q: any) => q.eq(table.primaryKey[0]!, raw))
          .first()) as Doc | null,
      );
    }
    return this.parents.get(id)!;
  }

  private note(v: Violation): void {
    if (this.out.violations.length < PARITY_LIMITS.violationsPerPage) this.out.violations.push(v);
    else this.out.more++;
  }
}

export async function parityDocChecks(config: MirrorConfig, ctx: Ctx, args: { table: string; after: Key | null; keys?: Key[]; maxDocs?: number }): Promise<DocChecks> {
  const info = config.table(args.table);
  const checker = new DocChecker(ctx, info);
  if (args.keys) {
    if (args.keys.length > PARITY_LIMITS.keysPerCall) throw new Pg2ConvexError("BATCH_TOO_LARGE", `parityDocChecks takes at most ${PARITY_LIMITS.keysPerCall} keys`);
    for (const key of args.keys) {
      const doc = (await ctx.db
        .query(info.def.convexName)
        .withIndex(PK_INDEX, (q: any) => info.def.primaryKey.reduce((acc: any, c, i) => acc.eq(c, key[i] ?? null), q))
        .first()) as Doc | null;
      if (doc) await checker.check(doc, keyOfDoc(info.def, doc));
    }
    return { ...checker.out, last: null, done: true, docs: args.keys.length };
  }
  const stop = () => checker.ranges + checker.perDoc > PARITY_LIMITS.indexRangesPerQuery;
  const page = await scanRange(ctx, info.def, { from: args.after ? { key: args.after, inclusive: false } : null, hi: null, budget: pageBudget(args.maxDocs), stop }, (doc, key) => checker.check(doc, key));
  return { ...checker.out, last: page.last, done: page.done, docs: page.docs };
}

/** Contributions of child rows to every parent aggregate they feed, grouped by (parent, via, key). */
export class FeedSums {
  private readonly groups = new Map<string, FeedGroup>();
  constructor(
    private readonly config: MirrorConfig,
    private readonly info: TableInfo,
  ) {}

  add(doc: Doc): void {
    for (const feed of this.info.feeds) {
      // Grouped by the parent's key as the parent stores it (reference-keys.ts): the checker joins by that.
      const raw = doc[feed.via] ?? null;
      const key = raw === null ? null : feed.keys.toParent(raw);
      if (key === null) continue;
      const id = viaId(feed.parent.name, feed.via, [key]);
      const g = this.groups.get(id) ?? { parent: feed.parent.name, via: feed.via, key, sums: {} };
      this.groups.set(id, g);
      addContributions(this.config, feed.parent.name, feed.defs, doc, g.sums);
    }
  }

  result(): FeedGroup[] {
    return [...this.groups.values()];
  }
}

/** Contributions of a page of `child` rows (primary-key order). */
export async function parityFeeds(config: MirrorConfig, ctx: Ctx, args: { child: string; after: Key | null; maxDocs?: number }) {
  const info = config.table(args.child);
  const sums = new FeedSums(config, info);
  const page = await scanRange(ctx, info.def, { from: args.after ? { key: args.after, inclusive: false } : null, hi: null, budget: pageBudget(args.maxDocs) }, (doc) => sums.add(doc));
  return { groups: sums.result(), last: page.last, done: page.done, docs: page.docs };
}

/** Contributions of the children of one parent row through `via`, one page of the by_<via> index. */
export async function parityFeedFor(config: MirrorConfig, ctx: Ctx, args: { child: string; via: string; parent: string; key: Value; cursor: string | null; maxDocs?: number }) {
  const info = config.table(args.child);
  const feed = info.feeds.find((f) => f.via === args.via && f.parent.name === config.table(args.parent).def.name);
  if (!feed) throw new Pg2ConvexError("UNKNOWN_TABLE", `${args.child}.${args.via} feeds no aggregate of ${args.parent}`);
  // args.key is the parent's key; the index holds the child column's type. No child can hold a key it cannot convert.
  const value = feed.keys.toChild(args.key);
  if (value === null) return { sums: {}, cursor: "", done: true, docs: 0 };
  const page = await ctx.db
    .query(info.def.convexName)
    .withIndex(indexFor(info.def, args.via), (q: any) => q.eq(args.via, value))
    .paginate({ cursor: args.cursor, numItems: pageBudget(args.maxDocs).docs, maximumBytesRead: PARITY_LIMITS.bytesPerQuery });
  const sums: Record<string, Num> = {};
  for (const doc of page.page) addContributions(config, feed.parent.name, feed.defs, doc as Doc, sums);
  return { sums, cursor: page.continueCursor, done: page.isDone, docs: page.page.length };
}

function addContributions(config: MirrorConfig, parent: string, defs: TableInfo["aggregates"], doc: Doc, sums: Record<string, Num>): void {
  const kindOf = config.table(parent).numberKind;
  for (const d of defs) {
    const c = contribution(d, doc, kindOf(d.field));
    const prev = sums[d.field];
    sums[d.field] = prev === undefined ? c : typeof prev === "bigint" ? prev + BigInt(c) : prev + Number(c);
  }
}
