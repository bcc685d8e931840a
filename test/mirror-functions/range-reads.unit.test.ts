// Batches at the sizes the range reads allow (issue 9: ≥ 3,000 narrow rows, ≥ 1,000 wide rows per mutation),
// planned by the real batcher and applied under Convex's limits; the usage convex-test counts
// (ctx.meta.getTransactionMetrics) must stay within the planner's estimate and every limit. Also: dense data
// (ranges that stop early) and the read-ahead's correctness on replays, deletes and children found later.
import { describe, expect, it } from "vitest";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { planOpCosts } from "../../src/mirror-functions/apply/plan-cost";
import { DEFAULT_BUDGET, MAX_BYTES_READ, MAX_DOCUMENTS_READ } from "../../src/mirror-functions/apply/usage";
import { CONVEX_LIMITS, type Op } from "../../src/mirror-functions/wire/protocol";
import { createBatcher } from "../../src/plan/batcher";
import type { SourceTransaction } from "../../src/model/changes";
import type { Batch } from "../../src/plan";
import { referenceTables } from "../../tables/reference";
import { allDocs, apply, course, del, newMirror, row, story, storyDone, up, type Mirror } from "./harness";

const config = mirrorConfig(referenceTables);
const graph = config.graph;

const insertTx = (lsn: number, table: string, rows: Array<Record<string, unknown>>): SourceTransaction => ({
  xid: lsn,
  commitLsn: BigInt(lsn),
  endLsn: BigInt(lsn) + 1n,
  commitTime: new Date(lsn),
  changes: rows.map((r) => ({ kind: "insert" as const, table, key: [r.id as number], row: r as never, lsn: BigInt(lsn) })),
});
const wideRow = (id: number) => ({ ...(story(id, 1n, { course_id: 1 + (id % 10), set_index: id, text: "x".repeat(200), json: { g: id }, public: id % 2 === 0, todo_count: id % 5 }) as { d: Record<string, unknown> }).d });
const narrowRow = (id: number) => ({ id, user_id: 1 + (id % 20), story_id: 1 + (id % 100), time: 1.6e12 });

function batches(txs: SourceTransaction[]): Batch[] {
  const b = createBatcher(graph);
  return [...txs.flatMap((tx) => b.add(tx)), ...b.flush()];
}

async function applyMeasured(t: Mirror, batch: Batch, budget = DEFAULT_BUDGET) {
  const t0 = performance.now();
  const { result, used } = await t.mutation(async (ctx) => {
    const result = await applyBatchHandler(config, ctx as never, { slot: "s1", batchId: batch.id, ops: batch.ops, ...(batch.checkpoint ? { checkpoint: batch.checkpoint } : {}) }, budget);
    return { result, used: await ctx.meta.getTransactionMetrics() };
  });
  const est = planOpCosts(graph, batch.ops).reduce((a, c) => ({ queries: a.queries + c.queries, writes: a.writes + c.writes }), { queries: 2, writes: 1 });
  return { result, used, est, ms: performance.now() - t0 };
}

function withinLimits(used: Awaited<ReturnType<typeof applyMeasured>>["used"]) {
  expect(used.databaseQueries.used).toBeLessThanOrEqual(CONVEX_LIMITS.databaseQueries * CONVEX_LIMITS.headroom);
  expect(used.documentsWritten.used).toBeLessThanOrEqual(CONVEX_LIMITS.documentsWritten * CONVEX_LIMITS.headroom);
  expect(used.documentsRead.used).toBeLessThanOrEqual(MAX_DOCUMENTS_READ * CONVEX_LIMITS.headroom);
  expect(used.bytesRead.used).toBeLessThanOrEqual(MAX_BYTES_READ * CONVEX_LIMITS.headroom);
  expect(used.bytesWritten.used).toBeLessThanOrEqual(CONVEX_LIMITS.bytesWritten * CONVEX_LIMITS.headroom);
}

async function seedParents(t: Mirror) {
  await apply(
    t,
    Array.from({ length: 10 }, (_, i) => course(i + 1, 1n)),
  );
  await apply(
    t,
    Array.from({ length: 100 }, (_, i) => story(i + 1, 1n, { course_id: 1 + (i % 10) })),
  );
}

describe("range reads at issue 9's sizes", () => {
  it("packs ≥ 3,000 narrow inserts into one mutation, within the estimate and every limit", async () => {
    const t = newMirror();
    await seedParents(t);
    const txs = [0, 1, 2, 3].map((n) =>
      insertTx(
        100 + n,
        "story_done",
        Array.from({ length: 1000 }, (_, i) => narrowRow(1 + n * 1000 + i)),
      ),
    );
    const [first, ...rest] = batches(txs);
    expect(first!.ops.length).toBeGreaterThanOrEqual(3000);
    for (const b of [first!, ...rest]) {
      const m = await applyMeasured(t, b);
      expect(m.result.complete).toBe(true);
      expect(m.used.databaseQueries.used).toBeLessThanOrEqual(m.est.queries);
      expect(m.used.documentsWritten.used).toBeLessThanOrEqual(m.est.writes);
      withinLimits(m.used);
    }
    expect((await allDocs(t, "story_done")).length).toBe(4000);
    expect((await allDocs(t, "story_done")).every((d) => d.story_id_ref !== undefined || d.story_id === null)).toBe(true);
  });

  it("packs ≥ 1,000 wide inserts into one mutation, counts right, within the estimate and every limit", async () => {
    const t = newMirror();
    await seedParents(t);
    const txs = [0, 1].map((n) =>
      insertTx(
        100 + n,
        "story",
        Array.from({ length: 1000 }, (_, i) => wideRow(1000 + n * 1000 + i)),
      ),
    );
    const all = batches(txs);
    expect(all[0]!.ops.length).toBeGreaterThanOrEqual(1000);
    for (const b of all) {
      const m = await applyMeasured(t, b);
      expect(m.result.complete).toBe(true);
      expect(m.used.databaseQueries.used).toBeLessThanOrEqual(m.est.queries);
      expect(m.used.documentsWritten.used).toBeLessThanOrEqual(m.est.writes);
      withinLimits(m.used);
    }
    const stories = await allDocs(t, "story");
    for (const c of [1, 5]) {
      const mine = stories.filter((s) => s.course_id === c);
      expect(await row(t, "course", c)).toMatchObject({
        count: mine.filter((s) => s.public === true && s.deleted === false).length,
        todo_count: mine.reduce((a, s) => a + s.todo_count, 0),
      });
    }
  });

  it("reads the parents a batch links to by ranges, not one look-up per parent, and links every child", async () => {
    const t = newMirror();
    await seedParents(t);
    const ops = Array.from({ length: 300 }, (_, i) => storyDone(1000 + i, 5n, 1 + (i % 100)));
    const m = await applyMeasured(t, { id: "b-parents", ops } as Batch);
    expect(m.result.complete).toBe(true);
    // One key by pk, one tombstone range, one parent range, checkpoint and epoch: a look-up per story would be 100 more.
    expect(m.used.databaseQueries.used).toBeLessThan(20);
    const stories = new Map((await allDocs(t, "story")).map((s) => [s.id, s._id]));
    const done = await allDocs(t, "story_done");
    expect(done).toHaveLength(300);
    for (const d of done) expect(d.story_id_ref).toBe(stories.get(d.story_id));
  });

  it("a replay of the same big batch changes nothing", async () => {
    const t = newMirror();
    await seedParents(t);
    const [b] = batches([
      insertTx(
        100,
        "story",
        Array.from({ length: 1200 }, (_, i) => wideRow(1000 + i)),
      ),
    ]);
    await applyMeasured(t, b!);
    const before = { stories: await allDocs(t, "story"), course: await row(t, "course", 3) };
    const again = await t.mutation((ctx) => applyBatchHandler(config, ctx as never, { slot: "s1", batchId: "other", ops: b!.ops }));
    expect(again.applied).toBe(0);
    expect(await allDocs(t, "story")).toEqual(before.stories);
    expect(await row(t, "course", 3)).toEqual(before.course);
  });
});

describe("range reads on dense data", () => {
  it("text keys with many stored rows between the batch's keys: cut short within the budget, never past it", async () => {
    const t = newMirror();
    const image = (id: string, ver: bigint, tag: string) => up("image", id, ver, { active: tag, gilded: "g", locked: "l", active_lip: "a", gilded_lip: "g" });
    const key = (n: number) => `img${String(n).padStart(5, "0")}`;
    await t.run(async (ctx) => {
      for (let n = 0; n < 3000; n++) await ctx.db.insert("image", { id: key(n), active: "old", gilded: "g", locked: "l", active_lip: "a", gilded_lip: "g", pg2c_version: 1n } as never);
    });
    // Every 30th key: a range of 64 batch keys spans ~1,900 stored rows (more than RANGE_DOCS).
    const ops: Op[] = Array.from({ length: 100 }, (_, i) => image(key(i * 30), 5n, "new"));
    const budget = { ...DEFAULT_BUDGET, databaseQueries: 60, headroom: 1 };
    let calls = 0;
    for (let done = false; !done; calls++) {
      const m = await applyMeasured(t, { id: "dense", ops, txCount: 1, rowCount: ops.length, lastCommitTime: new Date(0) } as Batch, budget);
      expect(m.used.databaseQueries.used).toBeLessThanOrEqual(60);
      done = m.result.complete;
    }
    expect(calls).toBeGreaterThan(1);
    const docs = await allDocs(t, "image");
    expect(docs.filter((d) => d.active === "new").map((d) => d.id)).toEqual(ops.map((o) => (o as { k: string[] }).k[0]));
    expect(docs).toHaveLength(3000);
  });

  it("tombstones read ahead still stop an older insert, and children stored before their parent are adopted", async () => {
    const t = newMirror();
    await apply(t, [storyDone(7, 5n, 3), story(2, 5n), del("story", 2, 6n)]);
    // One batch: an older insert of a deleted key (skipped) and a fresh parent whose child is already stored.
    await apply(t, [story(2, 4n), story(3, 7n, { course_id: null })]);
    expect(await row(t, "story", 2)).toBeNull();
    const done = (await allDocs(t, "story_done"))[0]!;
    expect(done.story_id_ref).toBe((await row(t, "story", 3))!._id);
  });
});
