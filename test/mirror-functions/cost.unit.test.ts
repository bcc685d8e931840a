// The planner's cost model against what convex-test measures (ctx.meta.getTransactionMetrics), and a
// batch planned right up to the budget applied under Convex's real limits.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { estimateBatchCost, estimateOpCost } from "../../src/mirror-functions/apply/cost";
import { CONVEX_LIMITS, type Op } from "../../src/mirror-functions/wire/protocol";
import { referenceTables } from "../../tables/reference";
import { apply, course, del, language, newMirror, story, storyDone, trunc, up } from "./harness";

const config = mirrorConfig(referenceTables);
const KEYS = 4;

/** Ops over language → course → story → story_done with keys 1..KEYS, so scans find at most KEYS children. */
const opArb = fc.oneof(
  fc.record({ id: fc.integer({ min: 1, max: KEYS }), name: fc.constantFrom("a", "b") }).map(
    ({ id, name }) =>
      (ver: bigint) =>
        language(id, name, ver),
  ),
  fc.record({ id: fc.integer({ min: 1, max: KEYS }), lang: fc.option(fc.integer({ min: 1, max: KEYS })) }).map(
    ({ id, lang }) =>
      (ver: bigint) =>
        course(id, ver, { learning_language: lang }),
  ),
  fc.record({ id: fc.integer({ min: 1, max: KEYS }), c: fc.option(fc.integer({ min: 1, max: KEYS })), pub: fc.boolean(), todo: fc.nat(5) }).map(
    ({ id, c, pub, todo }) =>
      (ver: bigint) =>
        story(id, ver, { course_id: c, public: pub, todo_count: todo }),
  ),
  fc.record({ id: fc.integer({ min: 1, max: KEYS }), s: fc.integer({ min: 1, max: KEYS }) }).map(
    ({ id, s }) =>
      (ver: bigint) =>
        storyDone(id, ver, s),
  ),
  fc.record({ t: fc.constantFrom("language", "course", "story", "story_done"), id: fc.integer({ min: 1, max: KEYS }) }).map(
    ({ t, id }) =>
      (ver: bigint) =>
        del(t, id, ver),
  ),
  fc.constant((ver: bigint) => ({ o: "reject", t: "story", k: [1], ver, code: "X", reason: "r" }) as Op),
  fc.record({ id: fc.integer({ min: 1, max: KEYS }), c: fc.option(fc.integer({ min: 1, max: KEYS })) }).map(
    ({ id, c }) =>
      (ver: bigint) =>
        up("story", id, ver, { course_id: c }, true),
  ),
);
const batchArb = fc.array(opArb, { maxLength: 12 });

describe("estimateOpCost", () => {
  // Usage of `ops` applied after `setup`, next to the estimate for them.
  async function measure(setup: Array<(ver: bigint) => Op>, batch: Array<(ver: bigint) => Op>) {
    const t = newMirror();
    await apply(
      t,
      setup.map((f, i) => f(BigInt(i + 1))),
    );
    const ops = batch.map((f, i) => f(BigInt(100 + i)));
    const est = estimateBatchCost(config.graph, ops, { fanout: KEYS });
    const used = await t.mutation(async (ctx) => {
      await applyBatchHandler(config, ctx as any, { slot: "s1", batchId: "x", ops });
      return await ctx.meta.getTransactionMetrics();
    });
    return { est, queries: used.databaseQueries.used, writes: used.documentsWritten.used };
  }

  it("bounds the index ranges and writes applyBatch really uses (children per scan ≤ fanout)", async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, batchArb, async (setup, batch) => {
        const m = await measure(setup, batch);
        expect(m.queries).toBeLessThanOrEqual(m.est.queries);
        expect(m.writes).toBeLessThanOrEqual(m.est.writes);
      }),
      { numRuns: 100 },
    );
  });

  it("bounds each single op, where no other op's slack can hide an underestimate", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 16 }), opArb, async (setup, op) => {
        const m = await measure(setup, [op]);
        expect(m.queries).toBeLessThanOrEqual(m.est.queries);
        expect(m.writes).toBeLessThanOrEqual(m.est.writes);
      }),
      { numRuns: 150 },
    );
  });

  it("counts the writes of child scans through fanout", async () => {
    const setup = [story(1, 1n), storyDone(1, 1n, 1), storyDone(2, 1n, 1), storyDone(3, 1n, 1)].map((op) => () => op);
    const m = await measure(setup, [(ver) => del("story", 1, ver)]);
    expect(m.writes).toBe(6); // story, tombstone, 3 × story_done.story_id_ref, checkpoint
    expect(m.writes).toBeLessThanOrEqual(m.est.writes);
    expect(m.writes).toBeGreaterThan(estimateBatchCost(config.graph, [del("story", 1, 100n)]).writes);
  });

  it("counts the reference schema's shapes", () => {
    const g = config.graph;
    // story: 2 references, feeds course (1 group), 2 child tables.
    expect(estimateOpCost(g, story(1, 1n))).toEqual({ queries: 7, writes: 3 });
    expect(estimateOpCost(g, del("story", 1, 1n))).toEqual({ queries: 5, writes: 3 });
    // course: 2 references, own aggregates, 1 child table; with 10 children per scan.
    expect(estimateOpCost(g, course(1, 1n), { fanout: 10 })).toEqual({ queries: 5, writes: 13 });
    expect(estimateOpCost(g, trunc(["story", "course"], 1n))).toEqual({ queries: 4, writes: 2 });
  });
});

describe("a batch planned to the budget", () => {
  it("applies under Convex's real transaction limits", async () => {
    const t = newMirror(true);
    // Worst case for the cache: every story names a different course and image, and every course
    // exists, so each op pays its full price.
    const courses = Array.from({ length: 900 }, (_, i) => course(i + 1, 1n));
    for (let i = 0; i < courses.length; i += 300) await apply(t, courses.slice(i, i + 300));
    const cap = { queries: CONVEX_LIMITS.databaseQueries * CONVEX_LIMITS.headroom, writes: CONVEX_LIMITS.documentsWritten * CONVEX_LIMITS.headroom };
    const ops: Op[] = [];
    for (let i = 0; ; i++) {
      const next = i % 3 === 2 ? del("course", i, 2n) : story(i + 1, 2n, { course_id: (i % 900) + 1, image: `img${i}` });
      const est = estimateBatchCost(config.graph, [...ops, next]);
      if (est.queries > cap.queries || est.writes > cap.writes) break;
      ops.push(next);
    }
    expect(ops.length).toBeGreaterThan(300);
    const r = await apply(t, ops);
    expect(r).toMatchObject({ complete: true, applied: ops.length });
  });
});
