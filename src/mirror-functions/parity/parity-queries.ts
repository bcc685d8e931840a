// Parity reads of mirrored rows: range hashes (checksum bisection), row hashes of a range (leaves), the
// state of given keys (samples and re-checks) and "did anything change since LSN x". Every handler stays
// inside PARITY_LIMITS; the hashes are row-hash.ts's, so they equal the checker's for equal rows.
import type { GenericDataModel, GenericQueryCtx } from "convex/server";
import type { ObjectType, Value } from "convex/values";
import { Pg2ConvexError } from "../../errors";
import { VERSION_FIELD } from "../../definitions/types";
import type { MirrorConfig } from "../config";
import { keyString, type Key } from "../../model/key";
import { PK_INDEX, SYSTEM_TABLES, VERSION_INDEX } from "../names";
import { comparedColumns, PARITY_LIMITS, type KeyState, type parityScanArgs, type ScanResult, type ScanRow } from "../wire/parity-protocol";
import { DocChecker, FeedSums } from "./parity-invariants";
import { pageBudget, scanRange, segmentOf, type Doc } from "./parity-scan";
import { hashHex, hashRow, RangeSum } from "./row-hash";

type Ctx = GenericQueryCtx<GenericDataModel>;

export async function parityScan(config: MirrorConfig, ctx: Ctx, args: ObjectType<typeof parityScanArgs>): Promise<ScanResult> {
  const def = config.table(args.table).def;
  const columns = comparedColumns(def);
  const bounds = args.bounds ?? [];
  if (bounds.length > PARITY_LIMITS.boundsPerCall) throw new Pg2ConvexError("BATCH_TOO_LARGE", `parityScan takes at most ${PARITY_LIMITS.boundsPerCall} bounds`);
  const from = args.after ? { key: args.after, inclusive: false } : args.lo ? { key: args.lo, inclusive: true } : null;
  const sums = bounds.map(() => new RangeSum()).concat(new RangeSum());
  const rows: ScanRow[] = [];
  const info = config.table(args.table);
  const checker = args.checks ? new DocChecker(ctx, info) : null;
  const feeds = args.checks ? new FeedSums(config, info) : null;
  const stop = checker ? () => checker.ranges + checker.perDoc + 3 > PARITY_LIMITS.indexRangesPerQuery : undefined;
  const page = await scanRange(ctx, def, { from, hi: args.hi, budget: pageBudget(args.maxDocs), ...(stop ? { stop } : {}) }, async (doc, key) => {
    const h = hashRow(doc, columns);
    if (args.mode === "rows") rows.push({ k: key, h: hashHex(h), v: version(doc) });
    else sums[segmentOf(bounds, key)]!.add(h);
    feeds?.add(doc);
    await checker?.check(doc, key);
  });
  const out: ScanResult = { last: page.last, done: page.done, docs: page.docs };
  if (checker && feeds) Object.assign(out, { checks: checker.out, feeds: feeds.result() });
  if (args.mode === "rows") out.rows = rows;
  else out.segments = sums.map((s) => ({ count: s.count, hash: s.hex() }));
  return out;
}

/**
 * Hash and version of each key (tombstone version when absent). With `next`, also the first document after
 * each key, looked for up to and including next[i] (PostgreSQL's successor; null = unbounded): a document
 * beyond it does not change the comparison, and the bound keeps the read small.
 */
export async function parityKeys(config: MirrorConfig, ctx: Ctx, table: string, keys: Key[], next: Array<Key | null> | undefined): Promise<{ states: KeyState[]; truncatedAt: bigint | null }> {
  if (keys.length > PARITY_LIMITS.keysPerCall) throw new Pg2ConvexError("BATCH_TOO_LARGE", `parityKeys takes at most ${PARITY_LIMITS.keysPerCall} keys`);
  if (next && next.length !== keys.length) throw new Pg2ConvexError("INTERNAL", "parityKeys: `next` must have one bound per key");
  const def = config.table(table).def;
  const columns = comparedColumns(def);
  const states: KeyState[] = [];
  for (const [i, key] of keys.entries()) {
    const docs = (await ctx.db
      .query(def.convexName)
      .withIndex(PK_INDEX, (q: any) => def.primaryKey.reduce((acc: any, c, i) => acc.eq(c, key[i] ?? null), q))
      .take(2)) as Doc[];
    const doc = docs[0];
    const state: KeyState = { h: null, v: null, tomb: null };
    if (doc) Object.assign(state, { h: hashHex(hashRow(doc, columns)), v: version(doc), ...(docs.length > 1 ? { dup: true } : {}) });
    else {
      const tomb = await ctx.db
        .query(SYSTEM_TABLES.tombstone)
        .withIndex("by_table_key", (q: any) => q.eq("table", def.name).eq("key", keyString(key)))
        .first();
      state.tomb = tomb ? (tomb.ver as bigint) : null;
    }
    if (next) {
      let found: ScanRow | null = null;
      await scanRange(ctx, def, { from: { key, inclusive: false }, hi: next[i] ?? null, hiInclusive: true, budget: { docs: 1, bytes: Infinity } }, (d, k) => {
        found ??= { k, h: hashHex(hashRow(d, columns)), v: version(d) };
      });
      state.next = found;
    }
    states.push(state);
  }
  return { states, truncatedAt: await truncatedAt(ctx, def.name) };
}

/** True when the table holds a row version, tombstone or truncate newer than `since` (an LSN). */
export async function parityChanged(config: MirrorConfig, ctx: Ctx, table: string, since: bigint): Promise<boolean> {
  const def = config.table(table).def;
  const doc = await ctx.db
    .query(def.convexName)
    .withIndex(VERSION_INDEX, (q: any) => q.gt(VERSION_FIELD, since))
    .first();
  if (doc) return true;
  const tomb = await ctx.db
    .query(SYSTEM_TABLES.tombstone)
    .withIndex("by_table_ver", (q: any) => q.eq("table", def.name).gt("ver", since))
    .first();
  if (tomb) return true;
  const t = await truncatedAt(ctx, def.name);
  return t !== null && t > since;
}

async function truncatedAt(ctx: Ctx, table: string): Promise<bigint | null> {
  const s = await ctx.db
    .query(SYSTEM_TABLES.tableState)
    .withIndex("by_table", (q: any) => q.eq("table", table))
    .first();
  return s ? (s.truncatedAt as bigint) : null;
}

function version(doc: Doc): bigint {
  const v: Value | undefined = doc[VERSION_FIELD];
  return typeof v === "bigint" ? v : -1n;
}
