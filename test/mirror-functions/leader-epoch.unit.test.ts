// Fencing on the Convex side: claimLeadership raises the epoch, and every write carrying an older epoch is
// refused atomically (nothing written, checkpoint unmoved) with LEADER_FENCED; the current epoch writes.
import { describe, expect, it } from "vitest";
import { makeFunctionReference } from "convex/server";
import { ConvexError } from "convex/values";
import type { MirrorIdentity } from "../../src/mirror-functions/wire/protocol";
import { apply, fns, language, newMirror, row, state, type Mirror } from "./harness";

const claimLeadership = makeFunctionReference<"mutation">("mirror:claimLeadership");
const claimMirror = makeFunctionReference<"mutation">("mirror:claimMirror");
const lead = (t: Mirror, holder: string) => t.mutation(claimLeadership as any, { slot: "s1", holder }) as Promise<{ epoch: number; previous: string | null }>;
const identity: MirrorIdentity = { mirrorId: "m1", systemId: "7000000000000000001", database: "app", slot: "s1", createdAt: 1 };
const cp = (commitLsn: bigint) => ({ checkpoint: { commitLsn, endLsn: commitLsn + 8n } });

async function refusal(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ConvexError);
  return (e as ConvexError<Record<string, string | number | null>>).data;
}

describe("leadership epochs", () => {
  it("each claim raises the epoch by one and names the previous holder", async () => {
    const t = newMirror();
    expect(await lead(t, "a")).toEqual({ epoch: 1, previous: null });
    expect(await lead(t, "b")).toEqual({ epoch: 2, previous: "a" });
    // The document the first claim created is a new mirror's: it can still be claimed and backfilled.
    expect((await state(t)).phase).toBe("new");
    await t.mutation(claimMirror as any, { slot: "s1", mirror: identity, continuing: false, epoch: 2 });
    expect((await state(t)).mirror).toMatchObject({ mirrorId: "m1" });
  });

  it("refuses a late batch of a deposed leader, writing nothing, and accepts the current leader's", async () => {
    const t = newMirror();
    const a = await lead(t, "a");
    await t.mutation(claimMirror as any, { slot: "s1", mirror: identity, continuing: false, epoch: a.epoch });
    await apply(t, [language(1, "one", 100n)], { mirrorId: "m1", epoch: a.epoch, ...cp(100n) });
    const b = await lead(t, "b");

    // The deposed leader's batch: refused before any write.
    const data = await refusal(apply(t, [language(2, "late", 110n), language(1, "overwritten", 110n)], { mirrorId: "m1", epoch: a.epoch, ...cp(110n) }));
    expect(data).toMatchObject({ pg2c: "LEADER_FENCED", slot: "s1", epoch: a.epoch, current: b.epoch, holder: "b" });
    expect(await row(t, "language", 2)).toBeNull();
    expect((await row(t, "language", 1))?.name).toBe("one");
    expect((await state(t)).commitLsn).toBe(100n);

    // Every other writing call is fenced the same way.
    expect(await refusal(t.mutation(fns.beginBackfill as any, { slot: "s1", mirrorId: "m1", epoch: a.epoch, snapshotLsn: 120n, tables: ["language"] }))).toMatchObject({ pg2c: "LEADER_FENCED" });
    expect(await refusal(t.mutation(fns.finishBackfill as any, { slot: "s1", mirrorId: "m1", epoch: a.epoch, commitLsn: 120n, endLsn: 120n }))).toMatchObject({ pg2c: "LEADER_FENCED" });
    expect(await refusal(t.mutation(claimMirror as any, { slot: "s1", mirror: identity, continuing: true, epoch: a.epoch }))).toMatchObject({ pg2c: "LEADER_FENCED" });
    // An epoch from the future (a deployment whose state went back) is refused too: only the current one writes.
    expect(await refusal(apply(t, [], { mirrorId: "m1", epoch: b.epoch + 1, ...cp(130n) }))).toMatchObject({ pg2c: "LEADER_FENCED" });

    await apply(t, [language(2, "two", 110n)], { mirrorId: "m1", epoch: b.epoch, ...cp(110n) });
    expect((await row(t, "language", 2))?.name).toBe("two");
    expect((await state(t)).commitLsn).toBe(110n);
  });

  it("leaves writers that never claimed leadership unchecked", async () => {
    const t = newMirror();
    await apply(t, [language(1, "one", 100n)], cp(100n));
    await lead(t, "a");
    await apply(t, [language(2, "two", 110n)], cp(110n));
    expect((await state(t)).commitLsn).toBe(110n);
  });
});
