// The slot checkpoint, backfill phases, and batches cut short by the budget (resume + re-send).
import { describe, expect, it } from "vitest";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { mirrorConfig } from "../../src/mirror-functions/config";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { DEFAULT_BUDGET } from "../../src/mirror-functions/apply/usage";
import { referenceTables } from "../../tables/reference";
import { allDocs, apply, course, fns, language, newMirror, row, state, story, trunc, type Mirror } from "./harness";

const cp = (commitLsn: bigint) => ({ checkpoint: { commitLsn, endLsn: commitLsn + 8n } });

describe("checkpoint", () => {
  it("starts as 'new' and only moves forward", async () => {
    const t = newMirror();
    expect(await state(t)).toMatchObject({ phase: "new", commitLsn: null, endLsn: null, updatedAt: null });
    await apply(t, [language(1, "a", 100n)], cp(100n));
    expect(await state(t)).toMatchObject({ phase: "stream", commitLsn: 100n, endLsn: 108n });
    await apply(t, [language(2, "b", 200n)], cp(200n));
    expect(await state(t)).toMatchObject({ commitLsn: 200n, endLsn: 208n });
    await apply(t, [], { checkpoint: { commitLsn: 150n, endLsn: 158n } }); // stale: no move
    expect(await state(t)).toMatchObject({ commitLsn: 200n, endLsn: 208n });
    expect(await state(t, "other")).toMatchObject({ phase: "new", commitLsn: null });
  });

  it("skips a whole batch whose checkpoint is not newer than the stored one", async () => {
    const t = newMirror();
    await apply(t, [language(1, "a", 100n)], cp(100n));
    // Row 2 would apply by version, but the batch as a whole was (by contract) applied before.
    expect(await apply(t, [language(2, "b", 90n), language(1, "z", 99n)], cp(100n))).toEqual({ applied: 0, skipped: 2, rejected: 0, complete: true });
    expect(await row(t, "language", 2)).toBeNull();
  });

  it("records backfill progress forward only, and reaches 'stream' through finishBackfill", async () => {
    const t = newMirror();
    await t.mutation(fns.beginBackfill as any, { slot: "s1", snapshotLsn: 50n, tables: ["language", "course"] });
    await t.mutation(fns.beginBackfill as any, { slot: "s1", snapshotLsn: 50n, tables: ["language", "course"] }); // retry
    const progress = (rows: number, done = false) => ({ backfill: { snapshotLsn: 50n, progress: { table: "language", after: done ? null : [rows], done, rows } } });
    await apply(t, [language(1, "a", 50n)], progress(1));
    await apply(t, [language(2, "b", 50n)], progress(2));
    await apply(t, [language(1, "a", 50n)], progress(1)); // replayed older batch
    let s = await state(t);
    expect(s).toMatchObject({ phase: "backfill", snapshotLsn: 50n });
    expect(s.backfill).toEqual([
      { table: "language", after: [2], done: false, rows: 2 },
      { table: "course", after: null, done: false, rows: 0 },
    ]);
    // A streamed checkpoint while tables are unfinished moves the LSNs but not the phase.
    await apply(t, [], cp(60n));
    expect(await state(t)).toMatchObject({ phase: "backfill", commitLsn: 60n });
    await apply(t, [], progress(2, true));
    await t.mutation(fns.finishBackfill as any, { slot: "s1", commitLsn: 55n, endLsn: 56n });
    s = await state(t);
    expect(s).toMatchObject({ phase: "stream", commitLsn: 60n, endLsn: 68n });
    expect(s.backfill[0]).toMatchObject({ done: true, rows: 2 });
  });
});

describe("batches cut short", () => {
  const config = mirrorConfig(referenceTables);
  // Few writes: ranges make the reads cheap, so the write budget is what cuts these batches short.
  const small = { ...DEFAULT_BUDGET, documentsWritten: 12, headroom: 1 };
  const run = (t: Mirror, ops: Op[], batchId: string, extra = {}) => t.mutation(async (ctx) => applyBatchHandler(config, ctx as any, { slot: "s1", batchId, ops, ...extra }, small));

  it("stop before the op that would not fit, keep the checkpoint, and resume where they stopped", async () => {
    const t = newMirror();
    const ops = Array.from({ length: 20 }, (_, i) => story(i + 1, 10n, { course_id: 1 }));
    // Same key twice in one transaction: the later op must still win across the cut.
    ops.push(story(1, 10n, { course_id: 1, name: "last write" }));
    const first = await run(t, ops, "big", cp(10n));
    expect(first.complete).toBe(false);
    expect(first.applied).toBeGreaterThan(0);
    expect((await state(t)).commitLsn).toBeNull();
    let calls = 1;
    for (let r = first; !r.complete; calls++) r = await run(t, ops, "big", cp(10n));
    expect(calls).toBeGreaterThanOrEqual(3);
    expect((await allDocs(t, "story")).length).toBe(20);
    expect((await row(t, "story", 1))?.name).toBe("last write");
    expect(await state(t)).toMatchObject({ commitLsn: 10n, phase: "stream" });
  });

  it("a truncate too big for one mutation finishes over several, with the real Convex limits", async () => {
    const t = newMirror();
    // Stories stored directly (fast); the courses arriving afterwards compute their counts from them.
    await t.run(async (ctx) => {
      for (let id = 1; id <= 1800; id++) {
        const d = (story(id, 5n, { course_id: (id % 2) + 1, todo_count: 1 }) as { d: Record<string, unknown> }).d;
        await ctx.db.insert("story", { ...d, pg2c_version: 5n } as any);
      }
    });
    await apply(t, [course(1, 6n), course(2, 6n)]);
    expect((await row(t, "course", 1))?.count).toBe(900);
    const batch = [trunc(["story"], 9n), story(5000, 9n, { course_id: 1, todo_count: 2 })];
    const results = [];
    for (let r = { complete: false }; !r.complete;) results.push((r = await apply(t, batch, { batchId: "trunc", ...cp(9n) })));
    expect(results.length).toBeGreaterThan(1);
    expect(results.slice(0, -1).every((r) => !r.complete)).toBe(true);
    expect((await allDocs(t, "story")).map((s) => s.id)).toEqual([5000]);
    expect(await row(t, "course", 1)).toMatchObject({ count: 1, todo_count: 2 });
    expect(await row(t, "course", 2)).toMatchObject({ count: 0, todo_count: 0 });
    expect(await state(t)).toMatchObject({ commitLsn: 9n });
  });
});
