// Not a test: prints how long stock and patched convex-test take for a mirror-like mutation.
//   npx tsx test/local-convex/perf-fast-convex-test.ts [docs=50000] [lookups=1000] [pageSize=8000] [--no-stock]
// Loads N documents in batches, then times one mutation doing `lookups` point look-ups by index
// (withIndex("by_pk", q => q.eq("id", k)).first()) each followed by a patch, and one full paginated
// read of the table by the index (countRows uses 8,000-row pages, the parity reader 500).
import { convexTest } from "convex-test";
import { defineSchema, defineTable, makeFunctionReference, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
import { loadFastConvexTest, type ConvexTest } from "../../src/local-convex/fast-convex-test";

const schema = defineSchema({ rows: defineTable({ id: v.number(), name: v.string(), n: v.number() }).index("by_pk", ["id"]) });
const load = mutationGeneric({
  handler: async (ctx, { from, to }: { from: number; to: number }) => {
    for (let id = from; id < to; id++) await ctx.db.insert("rows", { id, name: `row ${id}`, n: 0 });
  },
});
const touch = mutationGeneric({
  handler: async (ctx, { keys }: { keys: number[] }) => {
    for (const id of keys) {
      const doc = await ctx.db
        .query("rows")
        .withIndex("by_pk", (q) => q.eq("id", id))
        .first();
      if (doc) await ctx.db.patch(doc._id, { n: doc.n + 1 });
    }
  },
});
const page = queryGeneric({
  handler: async (ctx, { cursor, numItems }: { cursor: string | null; numItems: number }) => {
    const p = await ctx.db.query("rows").withIndex("by_pk").paginate({ cursor, numItems });
    return { count: p.page.length, cursor: p.continueCursor, isDone: p.isDone };
  },
});
const modules = { "convex/_generated/api.js": async () => ({}), "convex/perf.js": async () => ({ load, touch, page }) };
const ref = {
  load: makeFunctionReference<"mutation", { from: number; to: number }>("perf:load"),
  touch: makeFunctionReference<"mutation", { keys: number[] }>("perf:touch"),
  page: makeFunctionReference<"query", { cursor: string | null; numItems: number }, { count: number; cursor: string; isDone: boolean }>("perf:page"),
};

async function measure(label: string, make: ConvexTest, docs: number, lookups: number, numItems: number): Promise<void> {
  const t = make({ schema, modules, transactionLimits: true });
  let start = performance.now();
  for (let from = 0; from < docs; from += 10_000) await t.mutation(ref.load, { from, to: Math.min(docs, from + 10_000) });
  const loadMs = performance.now() - start;
  const keys = Array.from({ length: lookups }, (_, i) => Math.floor((i * 7919) % docs));
  start = performance.now();
  await t.mutation(ref.touch, { keys });
  const touchMs = performance.now() - start;
  start = performance.now();
  let rows = 0;
  for (let cursor: string | null = null; ;) {
    const r: { count: number; cursor: string; isDone: boolean } = await t.query(ref.page, { cursor, numItems });
    rows += r.count;
    if (r.isDone) break;
    cursor = r.cursor;
  }
  const scanMs = performance.now() - start;
  console.log(`${label}: load ${docs} docs ${loadMs.toFixed(0)} ms; ${lookups} look-ups+patches ${touchMs.toFixed(0)} ms; paginated read of ${rows} rows (pages of ${numItems}) ${scanMs.toFixed(0)} ms`);
}

const [docs = 50_000, lookups = 1_000, pageSize = 8_000] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith("--"))
  .map(Number);
await measure("patched", await loadFastConvexTest(), docs, lookups, pageSize);
if (!process.argv.includes("--no-stock")) await measure("stock  ", convexTest, docs, lookups, pageSize);
