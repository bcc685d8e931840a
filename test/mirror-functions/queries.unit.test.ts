// The read functions the bridge uses for parity, the guarded reset, and a self-referencing table.
import { convexTest } from "convex-test";
import { defineSchema } from "convex/server";
import { describe, expect, it } from "vitest";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { mirrorTables, RESET_CONFIRMATION } from "../../src/mirror-functions";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { col, defineTable } from "../../src/definitions/define";
import { allDocs, apply, del, fns, language, modules, newMirror, state, up } from "./harness";

describe("read functions", () => {
  it("count, page in key order, fetch by key, list rejects by table", async () => {
    const t = newMirror();
    await apply(
      t,
      [5, 3, 9, 1].map((id) => language(id, `l${id}`, 10n)),
      { checkpoint: { commitLsn: 10n, endLsn: 11n } },
    );
    await apply(t, [
      { o: "reject", t: "story", k: [4], ver: 11n, code: "TOO_BIG", reason: "r" },
      { o: "reject", t: "course", k: [2], ver: 11n, code: "X", reason: "r" },
    ]);
    expect(await t.query(fns.countRows as any, { table: "language" })).toMatchObject({ count: 4, isDone: true });
    const first = (await t.query(fns.getRows as any, { table: "language", cursor: null, numItems: 3 })) as any;
    expect(first.page.map((d: any) => d.id)).toEqual([1, 3, 5]);
    const rest = (await t.query(fns.getRows as any, { table: "language", cursor: first.continueCursor, numItems: 3 })) as any;
    expect(rest.page.map((d: any) => d.id)).toEqual([9]);
    const byKey = (await t.query(fns.getByKeys as any, { table: "language", keys: [[3], [4]] })) as any[];
    expect([byKey[0]?.name, byKey[1]]).toEqual(["l3", null]);
    const rejects = (await t.query(fns.listRejects as any, { table: "course" })) as any;
    expect(rejects.page.map((r: any) => r.keyString)).toEqual(["[2]"]);
    await expect(t.query(fns.getByKeys as any, { table: "language", keys: Array.from({ length: 1001 }, (_, i) => [i]) })).rejects.toThrow(/at most/);
  });

  it("resetMirror needs its confirmation and erases rows and bookkeeping", async () => {
    const t = newMirror();
    await apply(t, [language(1, "a", 10n), del("language", 2, 10n)], { checkpoint: { commitLsn: 10n, endLsn: 11n } });
    await expect(t.mutation(fns.resetMirror as any, { confirm: "yes" })).rejects.toThrow();
    expect(await t.mutation(fns.resetMirror as any, { confirm: RESET_CONFIRMATION })).toEqual({ deleted: 3, isDone: true });
    expect(await allDocs(t, "language")).toEqual([]);
    expect(await state(t)).toMatchObject({ phase: "new", commitLsn: null });
  });

  it("resetMirror works in bounded chunks", async () => {
    const t = newMirror();
    await t.run(async (ctx) => {
      for (let id = 0; id < 2400; id++) await ctx.db.insert("avatar", { id, link: "l", name: null, pg2c_version: 1n });
      await ctx.db.insert("pg2c_checkpoint", { slot: "s1", phase: "new", backfill: [], updatedAt: 0, lastBatchId: "" });
    });
    const calls = [];
    for (let r = { isDone: false }; !r.isDone;) calls.push((r = (await t.mutation(fns.resetMirror as any, { confirm: RESET_CONFIRMATION })) as any));
    // 2,400 rows + the checkpoint document: one full chunk, then the rest.
    expect(calls).toEqual([
      { deleted: 2000, isDone: false },
      { deleted: 401, isDone: true },
    ]);
  });
});

describe("a self-referencing table", () => {
  // employee.manager_id → employee.id, with a count of direct reports and the manager's name.
  const employee = defineTable({
    name: "employee",
    primaryKey: ["id"],
    columns: { id: col.int4().notNull(), name: col.text().notNull(), manager_id: col.int4() },
    references: { manager_id: "employee" },
    derived: [
      { kind: "count", field: "reports", from: "employee", via: "manager_id" },
      { kind: "lookup", field: "manager_name", via: "manager_id", column: "name" },
    ],
  });
  const tables = [employee];
  const config = mirrorConfig(tables);
  const emp = (id: number, ver: bigint, name: string, manager: number | null) => up("employee", id, ver, { name, manager_id: manager });

  it("links, counts and looks up within the same table, including a row that is its own parent", async () => {
    const t = convexTest({ schema: defineSchema(mirrorTables(tables)), modules });
    const run = (ops: Op[]) => t.mutation(async (ctx) => applyBatchHandler(config, ctx as any, { slot: "s", batchId: String(Math.random()), ops }));
    const get = async () => Object.fromEntries((await t.run((ctx) => ctx.db.query("employee").collect())).map((d: any) => [d.id, d]));
    await run([emp(2, 1n, "bob", 1), emp(1, 1n, "ann", 1), emp(3, 1n, "cy", 2)]);
    let e = await get();
    expect([e[1].reports, e[2].reports, e[3].reports]).toEqual([2, 1, 0]);
    expect([e[1].manager_id_ref, e[2].manager_id_ref, e[3].manager_id_ref]).toEqual([e[1]._id, e[1]._id, e[2]._id]);
    expect([e[1].manager_name, e[2].manager_name, e[3].manager_name]).toEqual(["ann", "ann", "bob"]);
    await run([emp(1, 2n, "anne", 1), emp(3, 2n, "cy", 1), { o: "delete", t: "employee", k: [2], ver: 2n }]);
    e = await get();
    expect(Object.keys(e)).toEqual(["1", "3"]);
    expect([e[1].reports, e[3].manager_name, e[1].manager_name]).toEqual([2, "anne", "anne"]);
  });
});

describe("a composite primary key", () => {
  const pair = defineTable({ name: "pair", primaryKey: ["a", "b"], columns: { a: col.int4().notNull(), b: col.text().notNull(), v: col.int4() } });
  const config = mirrorConfig([pair]);

  it("addresses rows by every key column", async () => {
    const t = convexTest({ schema: defineSchema(mirrorTables([pair])), modules });
    const run = (ops: Op[]) => t.mutation(async (ctx) => applyBatchHandler(config, ctx as any, { slot: "s", batchId: String(Math.random()), ops }));
    const put = (a: number, b: string, ver: bigint, v: number): Op => ({ o: "upsert", t: "pair", k: [a, b], ver, d: { a, b, v } });
    await run([put(1, "x", 1n, 10), put(1, "y", 1n, 20), put(2, "x", 1n, 30)]);
    await run([put(1, "y", 2n, 21), { o: "delete", t: "pair", k: [2, "x"], ver: 2n }, put(2, "x", 1n, 99)]);
    const rows = (await t.run((ctx) => ctx.db.query("pair").collect())).map((d: any) => [d.a, d.b, d.v]);
    expect(rows.sort()).toEqual([
      [1, "x", 10],
      [1, "y", 21],
    ]);
  });
});
