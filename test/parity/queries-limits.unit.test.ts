// The parity queries stay inside Convex's per-function read limits (convex-test enforces them here as the
// local stand-in does: 32,000 documents, 16 MiB, 4,096 index ranges): big tables and big documents are
// paged, and a page never splits the documents of one key.
import { makeFunctionReference } from "convex/server";
import { describe, expect, it } from "vitest";
import { PARITY_LIMITS, type ScanResult } from "../../src/mirror-functions/wire/parity-protocol";
import { newMirror, type Mirror } from "../mirror-functions/harness";

const scan = makeFunctionReference<"query">("mirror:parityScan");
const keysFn = makeFunctionReference<"query">("mirror:parityKeys");
const checks = makeFunctionReference<"query">("mirror:parityDocChecks");

const story = (id: number, text: string) => ({
  id,
  duo_id: null,
  name: `s${id}`,
  set_id: 1,
  set_index: 1,
  author: null,
  author_change: null,
  date: null,
  change_date: null,
  date_published: null,
  text,
  public: true,
  image: null,
  course_id: null,
  json: null,
  status: "draft",
  deleted: false,
  todo_count: 0,
  pg2c_version: 1n,
});

async function pages(t: Mirror, args: Record<string, unknown>): Promise<ScanResult[]> {
  const out: ScanResult[] = [];
  let after: unknown = undefined;
  for (;;) {
    const page = (await t.query(scan as any, { table: "avatar", lo: null, hi: null, mode: "segments", ...args, ...(after ? { after } : {}) })) as ScanResult;
    out.push(page);
    if (page.done) return out;
    after = page.last;
  }
}

describe("parity queries under Convex's read limits", () => {
  it("page a 9,000-document table at most PARITY_LIMITS.docsPerQuery documents per call", async () => {
    const t = newMirror();
    await t.run(async (ctx) => {
      for (let id = 0; id < 9_000; id++) await ctx.db.insert("avatar", { id, link: "l", name: null, pg2c_version: 1n });
    });
    const all = await pages(t, { bounds: [[3_000], [6_000]] });
    expect(all.length).toBe(3);
    expect(all.every((p) => p.docs <= PARITY_LIMITS.docsPerQuery)).toBe(true);
    const counts = [0, 0, 0];
    for (const p of all) p.segments!.forEach((s, i) => (counts[i]! += s.count));
    expect(counts).toEqual([3_000, 3_000, 3_000]);
    // Ranges: [2,500, 2,510) only.
    const range = await pages(t, { lo: [2_500], hi: [2_510], mode: "rows" });
    expect(range.flatMap((p) => p.rows!.map((r) => r.k[0]))).toEqual(Array.from({ length: 10 }, (_, i) => 2_500 + i));
  });

  it("page by bytes: 40 documents of 700 KB never exceed the byte budget", async () => {
    const t = newMirror();
    const big = "x".repeat(700_000);
    // 20 per mutation: each mutation may write 16 MiB.
    for (const first of [0, 20])
      await t.run(async (ctx) => {
        for (let id = first; id < first + 20; id++) await ctx.db.insert("story", story(id, big) as any);
      });
    let after: unknown = undefined;
    let total = 0;
    let calls = 0;
    for (;;) {
      const p = (await t.query(scan as any, { table: "story", lo: null, hi: null, mode: "rows", ...(after ? { after } : {}) })) as ScanResult;
      calls++;
      total += p.docs;
      expect(p.docs * 700_000).toBeLessThanOrEqual(PARITY_LIMITS.bytesPerQuery + 700_000);
      if (p.done) break;
      after = p.last;
    }
    expect(total).toBe(40);
    expect(calls).toBeGreaterThanOrEqual(7);
  });

  it("never split the documents of one key across pages (duplicates stay visible)", async () => {
    const t = newMirror();
    await t.run(async (ctx) => {
      for (let id = 0; id < 4_100; id++) await ctx.db.insert("avatar", { id: id < 3_999 ? id : 3_999, link: "l", name: null, pg2c_version: 1n });
    });
    const all = await pages(t, { mode: "rows" });
    const keys = all.flatMap((p) => p.rows!.map((r) => r.k[0]));
    expect(keys.length).toBe(4_100);
    expect(all[0]!.rows!.filter((r) => r.k[0] === 3_999).length).toBe(101);
  });

  it("look up PARITY_LIMITS.keysPerCall keys with their successors in one call, and refuse more", async () => {
    const t = newMirror();
    await t.run(async (ctx) => {
      for (let id = 0; id < 1_000; id += 2) await ctx.db.insert("avatar", { id, link: "l", name: null, pg2c_version: 1n });
    });
    const keys = Array.from({ length: PARITY_LIMITS.keysPerCall }, (_, i) => [i]);
    const r = (await t.query(keysFn as any, { table: "avatar", keys, next: keys.map(() => null) })) as { states: Array<{ h: string | null; next: { k: number[] } | null }> };
    expect(r.states[3]).toMatchObject({ h: null, next: { k: [4] } });
    expect(r.states[4]!.h).not.toBeNull();
    // Bounded: the next document is looked for up to the given key only.
    const bounded = (await t.query(keysFn as any, { table: "avatar", keys: [[3], [3]], next: [[3], [4]] })) as { states: Array<{ next: { k: number[] } | null }> };
    expect(bounded.states.map((s) => s.next?.k ?? null)).toEqual([null, [4]]);
    await expect(t.query(keysFn as any, { table: "avatar", keys: [...keys, [1]] })).rejects.toThrow(/at most/);
  });

  it("check a 4,500-row child table's references in pages inside the index-range limit", async () => {
    const t = newMirror();
    await t.run(async (ctx) => {
      for (let id = 0; id < 4_500; id++) await ctx.db.insert("story_done", { id, user_id: 1, story_id: id, time: null, pg2c_version: 1n });
    });
    let after: unknown = null;
    let unresolved = 0;
    let pages = 0;
    for (;;) {
      pages++;
      const p = (await t.query(checks as any, { table: "story_done", after })) as { unresolved: number; violations: unknown[]; done: boolean; last: unknown; docs: number };
      expect(p.docs).toBeLessThanOrEqual(PARITY_LIMITS.indexRangesPerQuery);
      unresolved += p.unresolved;
      if (p.done) break;
      after = p.last;
    }
    expect(unresolved).toBe(4_500); // no story is mirrored: every story_id is unresolved, and correctly unlinked
    expect(pages).toBeGreaterThanOrEqual(3); // one index range per distinct parent: ≤ 2,000 documents per page
  });
});
