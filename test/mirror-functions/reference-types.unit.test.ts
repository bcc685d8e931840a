/// <reference types="vite/client" />
// References whose child column and parent key have different integer types (PostgreSQL allows a foreign key
// from int8 to int4 and back): int4 decodes to a number, int8 to a bigint, and Convex never finds those equal.
// Reference ids, lookups and count/sum fields must follow the parent anyway, in either direction, whatever order
// rows arrive in; a child value no parent key can equal (out of the parent type's range) links to nothing.
import { convexTest } from "convex-test";
import type { Value } from "convex/values";
import { describe, expect, it } from "vitest";
import schema from "../fixtures/reftype-app/convex/schema";
import { fns, type Mirror } from "./harness";
import { makeFunctionReference } from "convex/server";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { planOpCosts } from "../../src/mirror-functions/apply/plan-cost";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { refTypeTables } from "../fixtures/reftype-app/tables";

const modules = import.meta.glob("../fixtures/reftype-app/convex/**/*.*s");
const newMirror = () => convexTest({ schema, modules, transactionLimits: true }) as unknown as Mirror;

let batchNo = 0;
const apply = async (t: Mirror, ops: Op[]) => {
  const r = (await t.mutation(fns.applyBatch as any, { slot: "s1", batchId: `rt${++batchNo}`, ops })) as { complete: boolean };
  expect(r.complete).toBe(true);
};
const up = (t: string, id: Value, ver: bigint, d: Record<string, Value>): Op => ({ o: "upsert", t, k: [id], ver, d: { id, ...d } });
const del = (t: string, id: Value, ver: bigint): Op => ({ o: "delete", t, k: [id], ver });
const get = async (t: Mirror, table: string, id: Value) => ((await t.query(fns.getByKeys as any, { table, keys: [[id]] })) as Array<Record<string, any> | null>)[0] ?? null;

// The two directions: the parent's key type and the child's column type, as decoded.
const pairs = [
  { name: "int8 child → int4 parent", parent: "p4", child: "c8", pk: (n: number): Value => n, fk: (n: number): Value => BigInt(n), cid: (n: number): Value => BigInt(n), amount: (n: number): Value => n },
  { name: "int4 child → int8 parent", parent: "p8", child: "c4", pk: (n: number): Value => BigInt(n), fk: (n: number): Value => n, cid: (n: number): Value => n, amount: (n: number): Value => BigInt(n) },
] as const;

describe.each(pairs)("references across integer types: $name", (p) => {
  const parent = (id: number, ver: bigint, name: string) => up(p.parent, p.pk(id), ver, { name });
  const child = (id: number, ver: bigint, parentId: number | null, amount: number) => up(p.child, p.cid(id), ver, { p_id: parentId === null ? null : p.fk(parentId), amount: p.amount(amount) });
  const parentOf = async (t: Mirror, id: number) => {
    const r = await get(t, p.parent, p.pk(id));
    return r && { kids: r.kids, sum: r.amount_sum, _id: r._id };
  };
  const childOf = async (t: Mirror, id: number) => {
    const r = await get(t, p.child, p.cid(id));
    return r && { ref: r.p_id_ref, name: r.p_name, p_id: r.p_id };
  };

  it("links, looks up and counts children that arrive after their parent; moves, renames and deletes follow", async () => {
    const t = newMirror();
    await apply(t, [parent(1, 10n, "one"), parent(2, 10n, "two")]);
    await apply(t, [child(100, 11n, 1, 3), child(101, 11n, 1, 4)]);
    const p1 = await parentOf(t, 1);
    const p2 = await parentOf(t, 2);
    expect(p1).toMatchObject({ kids: 1 + 1, sum: 7 });
    // The raw column keeps its own type: a bigint for int8, a number for int4.
    expect(await childOf(t, 100)).toEqual({ ref: p1?._id, name: "one", p_id: p.fk(1) });
    // An update that moves a child to another parent moves its contribution.
    await apply(t, [child(101, 12n, 2, 5)]);
    expect(await parentOf(t, 1)).toMatchObject({ kids: 1, sum: 3 });
    expect(await parentOf(t, 2)).toMatchObject({ kids: 1, sum: 5 });
    expect(await childOf(t, 101)).toEqual({ ref: p2?._id, name: "two", p_id: p.fk(2) });
    // An update that keeps the parent changes the amount in place.
    await apply(t, [child(100, 13n, 1, 10)]);
    expect(await parentOf(t, 1)).toMatchObject({ kids: 1, sum: 10 });
    // A renamed parent's name reaches its children.
    await apply(t, [parent(2, 14n, "deux")]);
    expect((await childOf(t, 101))?.name).toBe("deux");
    // Deleting a child takes its contribution away; deleting a parent unlinks its children.
    await apply(t, [del(p.child, p.cid(100), 15n)]);
    expect(await parentOf(t, 1)).toMatchObject({ kids: 0, sum: 0 });
    await apply(t, [del(p.parent, p.pk(2), 16n)]);
    expect(await childOf(t, 101)).toEqual({ ref: undefined, name: null, p_id: p.fk(2) });
    // Moving to no parent.
    await apply(t, [parent(2, 17n, "two again")]);
    expect(await parentOf(t, 2)).toMatchObject({ kids: 1, sum: 5 });
    await apply(t, [child(101, 18n, null, 5)]);
    expect(await parentOf(t, 2)).toMatchObject({ kids: 0, sum: 0 });
    expect(await childOf(t, 101)).toEqual({ ref: undefined, name: null, p_id: null });
  });

  it("adopts children that arrived before their parent, in a later batch and in the same one", async () => {
    const t = newMirror();
    await apply(t, [child(100, 10n, 1, 3), child(101, 10n, 1, 4), child(102, 10n, 2, 9)]);
    expect(await childOf(t, 100)).toEqual({ ref: undefined, name: null, p_id: p.fk(1) });
    await apply(t, [parent(1, 11n, "one")]);
    const p1 = await parentOf(t, 1);
    expect(p1).toMatchObject({ kids: 2, sum: 7 });
    expect(await childOf(t, 100)).toEqual({ ref: p1?._id, name: "one", p_id: p.fk(1) });
    expect(await childOf(t, 101)).toMatchObject({ ref: p1?._id, name: "one" });
    expect((await childOf(t, 102))?.ref).toBeUndefined();
    // Same batch: a child, then its parent, then another child (read-ahead of parents and child scans).
    await apply(t, [child(103, 12n, 3, 1), parent(3, 12n, "three"), child(104, 12n, 3, 2), parent(2, 12n, "two")]);
    expect(await parentOf(t, 3)).toMatchObject({ kids: 2, sum: 3 });
    expect(await parentOf(t, 2)).toMatchObject({ kids: 1, sum: 9 });
    expect((await childOf(t, 103))?.name).toBe("three");
    expect((await childOf(t, 104))?.name).toBe("three");
    expect((await childOf(t, 102))?.name).toBe("two");
  });

  it("never links by a rounded or truncated value", async () => {
    const t = newMirror();
    // 2^32 + 1: an int4 (the narrow side) cannot hold it; truncation to 32 bits would give 1.
    const wide = 2 ** 32 + 1;
    if (p.parent === "p4") {
      await apply(t, [parent(1, 10n, "one"), up(p.child, p.cid(100), 11n, { p_id: BigInt(wide), amount: 5 }), up(p.child, p.cid(101), 11n, { p_id: 2n ** 63n - 1n, amount: 5 })]);
      expect(await parentOf(t, 1)).toMatchObject({ kids: 0, sum: 0 });
      expect(await childOf(t, 100)).toEqual({ ref: undefined, name: null, p_id: BigInt(wide) });
      expect((await childOf(t, 101))?.ref).toBeUndefined();
    } else {
      await apply(t, [child(100, 10n, 1, 5), up(p.parent, BigInt(wide), 11n, { name: "wide" }), up(p.parent, 2n ** 63n - 1n, 11n, { name: "max" })]);
      expect(await childOf(t, 100)).toEqual({ ref: undefined, name: null, p_id: 1 });
      expect((await get(t, p.parent, BigInt(wide)))?.kids).toBe(0);
      await apply(t, [parent(1, 12n, "one")]);
      expect(await parentOf(t, 1)).toMatchObject({ kids: 1, sum: 5 });
    }
  });
});

describe("parity invariants across integer types", () => {
  const docChecks = makeFunctionReference<"query">("mirror:parityDocChecks");
  const feeds = makeFunctionReference<"query">("mirror:parityFeeds");
  it.each(pairs)("finds every reference resolved and the children's sums keyed by the parent's key: $name", async (p) => {
    const t = newMirror();
    await apply(t, [up(p.parent, p.pk(1), 10n, { name: "one" }), up(p.child, p.cid(100), 11n, { p_id: p.fk(1), amount: p.amount(2) })]);
    const checks = (await t.query(docChecks as any, { table: p.child, after: null })) as { unresolved: number; violations: unknown[] };
    expect(checks).toMatchObject({ unresolved: 0, violations: [] });
    const page = (await t.query(feeds as any, { child: p.child, after: null })) as { groups: Array<{ key: Value }> };
    expect(page.groups.map((g) => g.key)).toEqual([p.pk(1)]);
    // Sample mode asks for one parent's children by the parent's key.
    const feedFor = makeFunctionReference<"query">("mirror:parityFeedFor");
    const one = (await t.query(feedFor as any, { child: p.child, via: "p_id", parent: p.parent, key: p.pk(1), cursor: null })) as { sums: Record<string, unknown> };
    expect(one.sums).toEqual({ kids: 1, amount_sum: 2 });
  });
});

describe("read-ahead across integer types", () => {
  const config = mirrorConfig(refTypeTables);
  it.each(pairs)("reads the parents a batch of children names by ranges, within the planner's estimate: $name", async (p) => {
    const t = newMirror();
    await apply(
      t,
      Array.from({ length: 100 }, (_, i) => up(p.parent, p.pk(i + 1), 10n, { name: `p${i + 1}` })),
    );
    const ops = Array.from({ length: 300 }, (_, i) => up(p.child, p.cid(i + 1), 11n, { p_id: p.fk(1 + (i % 100)), amount: p.amount(1) }));
    const used = await t.mutation(async (ctx) => {
      await applyBatchHandler(config, ctx as never, { slot: "s1", batchId: `ra-${p.child}`, ops });
      return (await ctx.meta.getTransactionMetrics()).databaseQueries.used;
    });
    const estimate = planOpCosts(config.graph, ops).reduce((a, c) => a + c.queries, 2);
    // Key by key, the 100 parents alone would take 100 look-ups.
    expect(used).toBeLessThan(20);
    expect(used).toBeLessThanOrEqual(estimate);
    expect(await get(t, p.parent, p.pk(7))).toMatchObject({ kids: 3, amount_sum: 3 });
  });
});
