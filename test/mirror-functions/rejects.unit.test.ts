// Rejects: reported by the batch that recorded them (planned or decided in the mutation), once, and settled
// when a newer version of their row is stored (rejects.ts).
import { makeFunctionReference } from "convex/server";
import { describe, expect, it } from "vitest";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { mirrorConfig } from "../../src/mirror-functions/config";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import type { SettleResult } from "../../src/mirror-functions/apply/rejects";
import { DEFAULT_BUDGET } from "../../src/mirror-functions/apply/usage";
import { referenceTables } from "../../tables/reference";
import { allDocs, apply, del, fns, language, newMirror, row, story, trunc, up, type Mirror } from "./harness";

const config = mirrorConfig(referenceTables);
const settle = makeFunctionReference<"mutation">("mirror:settleRejects");
const reject = (t: string, id: number, ver: bigint, code = "DOCUMENT_TOO_LARGE"): Op => ({ o: "reject", t, k: [id], ver, code, reason: "r" });
const settleAll = (t: Mirror) => t.mutation(settle as any, {}) as Promise<SettleResult>;
const open = async (t: Mirror) => ((await t.query(fns.listRejects as any, { open: true })) as { page: Array<Record<string, any>> }).page.map((r) => [r.table, r.key[0], r.code]);

describe("rejects", () => {
  it("are reported by the batch that recorded them, planned or decided in the mutation, and not by a replay", async () => {
    const t = newMirror();
    const ops = [reject("story", 1, 10n), up("story", 2, 10n, { name: "no row" }, true)];
    const r = await apply(t, ops, { batchId: "b-rej" });
    expect(r.rejects?.map((x) => [x.table, x.key, x.ver, x.code])).toEqual([
      ["story", [1], 10n, "DOCUMENT_TOO_LARGE"],
      ["story", [2], 10n, "PARTIAL_WITHOUT_ROW"],
    ]);
    // The same batch again (its result was lost): the same rejects, nothing new stored.
    expect((await apply(t, ops, { batchId: "b-rej" })).rejects?.map((x) => x.id)).toEqual(r.rejects?.map((x) => x.id));
    // A replay of the same changes as another batch (after a restart) reports nothing new.
    expect((await apply(t, ops)).rejects).toBeUndefined();
    expect((await allDocs(t, "pg2c_reject")).length).toBe(2);
  });

  it("of a batch cut short are reported once, when it completes", async () => {
    const t = newMirror();
    const ops = [...Array.from({ length: 12 }, (_, i) => reject("story", i + 1, 10n)), language(1, "a", 10n)];
    const small = { ...DEFAULT_BUDGET, databaseQueries: 8, headroom: 1 };
    const results = [];
    for (let r = { complete: false }; !r.complete;) results.push((r = await t.mutation(async (ctx) => applyBatchHandler(config, ctx as any, { slot: "s1", batchId: "cut", ops }, small))));
    expect(results.length).toBeGreaterThan(1);
    expect(results.slice(0, -1).every((r) => r.rejects === undefined)).toBe(true);
    expect(
      results
        .at(-1)!
        .rejects?.map((x) => x.key[0])
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it("a merged row over Convex's document limit is a reject decided in the mutation; the stored row stays", async () => {
    const t = newMirror();
    await apply(t, [story(1, 10n, { text: "x".repeat(600_000), name: "before" })]);
    const r = await apply(t, [up("story", 1, 20n, { name: "after", json: { big: "y".repeat(600_000) } }, true)]);
    expect(r).toMatchObject({ applied: 0, rejected: 1 });
    expect(r.rejects?.map((x) => [x.key, x.code])).toEqual([[[1], "DOCUMENT_TOO_LARGE"]]);
    expect((await row(t, "story", 1))?.name).toBe("before");
  });

  it("are settled by a newer upsert, delete or truncate of their row; older or equal versions leave them open", async () => {
    const t = newMirror();
    await apply(t, [reject("story", 1, 10n), reject("story", 2, 10n), reject("language", 3, 10n), reject("language", 4, 30n), reject("no_such_table", 5, 10n)]);
    await apply(t, [story(1, 10n), del("story", 2, 9n)]);
    expect(await settleAll(t)).toMatchObject({ resolved: [], isDone: true });
    expect((await settleAll(t)).open.length).toBe(5);
    await apply(t, [story(1, 20n), del("story", 2, 21n), trunc(["language"], 25n)]);
    const s = await settleAll(t);
    expect(s.resolved.map((x) => [x.table, x.key[0], x.resolvedBy, x.resolvedVia])).toEqual([
      ["story", 1, 20n, "upsert"],
      ["story", 2, 21n, "delete"],
      ["language", 3, 25n, "truncate"],
    ]);
    expect(await open(t)).toEqual([
      ["language", 4, "DOCUMENT_TOO_LARGE"],
      ["no_such_table", 5, "DOCUMENT_TOO_LARGE"],
    ]);
    const docs = await allDocs(t, "pg2c_reject");
    expect(docs.filter((d) => d.resolvedAt !== undefined).map((d) => [d.key[0], d.resolvedBy])).toEqual([
      [1, 20n],
      [2, 21n],
      [3, 25n],
    ]);
    // Settling again, or by id, changes nothing.
    expect((await settleAll(t)).resolved).toEqual([]);
    expect(((await t.mutation(settle as any, { ids: docs.map((d) => d._id) })) as SettleResult).resolved).toEqual([]);
  });

  it("settle by id and page through many open ones", async () => {
    const t = newMirror();
    await apply(
      t,
      Array.from({ length: 450 }, (_, i) => reject("language", i + 1, 10n)),
    );
    await apply(t, [language(7, "newer", 11n)]);
    const docs = await allDocs(t, "pg2c_reject");
    const byId = (await t.mutation(settle as any, { ids: docs.filter((d) => d.key[0] <= 10).map((d) => d._id) })) as SettleResult;
    expect(byId.resolved.map((x) => x.key[0])).toEqual([7]);
    let pages = 0;
    let stillOpen = 0;
    for (let cursor: string | null = null; ; pages++) {
      const p = (await t.mutation(settle as any, { cursor })) as SettleResult;
      stillOpen += p.open.length;
      if (p.isDone) break;
      cursor = p.continueCursor;
    }
    expect([pages, stillOpen]).toEqual([2, 449]);
    const recent = (await t.query(fns.listRejects as any, { open: true, order: "desc", numItems: 2 })) as { page: Array<Record<string, any>> };
    expect(recent.page.length).toBe(2);
    expect(recent.page[0]!.at).toBeGreaterThanOrEqual(recent.page[1]!.at);
  });

  it("a partial update of a row older than its rejected change is a reject too, moved or not; a whole row resolves them", async () => {
    const t = newMirror();
    await apply(t, [story(1, 10n, { text: "old text", name: "v10" }), story(2, 10n, { text: "two" })]);
    // Its change at 20 was rejected (too large): the stored doc is stale in columns nobody knows.
    await apply(t, [reject("story", 1, 20n)]);
    const r = await apply(t, [up("story", 1, 30n, { name: "v30" }, true)]);
    expect(r.rejects?.map((x) => [x.key[0], x.ver, x.code])).toEqual([[1, 30n, "PARTIAL_WITHOUT_ROW"]]);
    expect(r.rejects?.[0]?.reason).toMatch(/older than its rejected change at 0\/14 \(DOCUMENT_TOO_LARGE\)/);
    expect((await row(t, "story", 1))?.name).toBe("v10");
    // Moved while stale: the carried columns would be stale too.
    const m = await apply(t, [{ o: "delete", t: "story", k: [1], ver: 40n, keep: [[3]] }, { ...up("story", 3, 40n, { name: "moved" }, true), from: [1] } as Op]);
    expect(m.rejects?.map((x) => [x.key[0], x.code])).toEqual([[3, "PARTIAL_WITHOUT_ROW"]]);
    expect(m.rejects?.[0]?.reason).toMatch(/changed from 1: its stored row is older than a rejected change/);
    expect(await row(t, "story", 3)).toBeNull();
    // The same partial update of a row with no newer reject merges as usual.
    expect((await apply(t, [up("story", 2, 40n, { name: "fine" }, true)])).applied).toBe(1);
    expect((await row(t, "story", 2))?.text).toBe("two");
    await apply(t, [story(3, 50n, { text: "whole again" })]);
    expect((await settleAll(t)).resolved.map((x) => [x.key[0], x.ver, x.resolvedVia])).toEqual([
      [1, 20n, "delete"],
      [1, 30n, "delete"],
      [3, 40n, "upsert"],
    ]);
  });
});
