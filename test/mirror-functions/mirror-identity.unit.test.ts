// Mirror identity on the Convex side: claimed once, carried through every checkpoint rule, erased by
// resetMirror, and every write naming a mirror id is refused (atomically) by a deployment that holds
// another mirror or none.
import { describe, expect, it } from "vitest";
import { makeFunctionReference } from "convex/server";
import { ConvexError } from "convex/values";
import { RESET_CONFIRMATION } from "../../src/mirror-functions";
import type { MirrorIdentity } from "../../src/mirror-functions/wire/protocol";
import { allDocs, apply, fns, language, newMirror, row, state, type Mirror } from "./harness";

const claimMirror = makeFunctionReference<"mutation">("mirror:claimMirror");
const identity = (mirrorId: string): MirrorIdentity => ({ mirrorId, systemId: "7000000000000000001", database: "app", slot: "s1", createdAt: 1 });
const claim = (t: Mirror, mirrorId: string, continuing = false) => t.mutation(claimMirror as any, { slot: "s1", mirror: identity(mirrorId), continuing });
const cp = (commitLsn: bigint) => ({ checkpoint: { commitLsn, endLsn: commitLsn + 8n } });

async function refusal(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ConvexError);
  return (e as ConvexError<Record<string, string | null>>).data;
}

describe("mirror identity", () => {
  it("is claimed once: the same claim again is a no-op, another mirror's claim is refused", async () => {
    const t = newMirror();
    expect((await state(t)).mirror).toBeNull();
    await claim(t, "m1");
    await claim(t, "m1");
    expect(await refusal(claim(t, "m2"))).toMatchObject({ pg2c: "MIRROR_MISMATCH", slot: "s1", expected: "m2", found: "m1" });
    expect((await state(t)).mirror).toMatchObject({ mirrorId: "m1", systemId: "7000000000000000001", database: "app", slot: "s1" });
  });

  it("a continuing claim needs the checkpoint it continues; a new one refuses a mirror it did not see", async () => {
    const t = newMirror();
    // The deployment lost the checkpoint between the bridge's read and its claim.
    expect(await refusal(claim(t, "m1", true))).toMatchObject({ pg2c: "MIRROR_STATE_LOST", found: null });
    expect(await allDocs(t, "pg2c_checkpoint")).toEqual([]);
    // A mirror streamed by an older pg2convex (no identity) is adopted by a continuing claim only.
    await apply(t, [language(1, "a", 100n)], cp(100n));
    expect(await refusal(claim(t, "m1"))).toMatchObject({ pg2c: "MIRROR_MISMATCH", found: null });
    await claim(t, "m1", true);
    expect(await state(t)).toMatchObject({ phase: "stream", commitLsn: 100n, mirror: { mirrorId: "m1" } });
  });

  it("survives backfill, batches and finishBackfill, and is checked by each of them", async () => {
    const t = newMirror();
    await claim(t, "m1");
    await t.mutation(fns.beginBackfill as any, { slot: "s1", mirrorId: "m1", snapshotLsn: 50n, tables: ["language"] });
    await apply(t, [language(1, "a", 50n)], { mirrorId: "m1", backfill: { snapshotLsn: 50n, progress: { table: "language", after: null, done: true, rows: 1 } } });
    await t.mutation(fns.finishBackfill as any, { slot: "s1", mirrorId: "m1", commitLsn: 50n, endLsn: 50n });
    await apply(t, [language(2, "b", 60n)], { mirrorId: "m1", ...cp(60n) });
    expect(await state(t)).toMatchObject({ phase: "stream", commitLsn: 60n, mirror: { mirrorId: "m1" } });
    expect(await refusal(t.mutation(fns.finishBackfill as any, { slot: "s1", mirrorId: "m2", commitLsn: 70n, endLsn: 70n }))).toMatchObject({ pg2c: "MIRROR_MISMATCH" });
    expect(await refusal(t.mutation(fns.beginBackfill as any, { slot: "s1", mirrorId: "m2", snapshotLsn: 70n, tables: ["language"] }))).toMatchObject({ pg2c: "MIRROR_MISMATCH" });
  });

  it("refuses a batch for another mirror, writing nothing", async () => {
    const t = newMirror();
    await claim(t, "m1");
    await apply(t, [language(1, "a", 100n)], { mirrorId: "m1", ...cp(100n) });
    expect(await refusal(apply(t, [language(2, "b", 200n)], { mirrorId: "m2", ...cp(200n) }))).toMatchObject({ pg2c: "MIRROR_MISMATCH", expected: "m2", found: "m1" });
    expect(await row(t, "language", 2)).toBeNull();
    expect(await state(t)).toMatchObject({ commitLsn: 100n });
  });

  it("refuses a batch on a deployment that lost its state: no streaming checkpoint appears over missing rows", async () => {
    const t = newMirror();
    expect(await refusal(apply(t, [language(7, "retried", 300n)], { mirrorId: "m1", ...cp(300n) }))).toMatchObject({ pg2c: "MIRROR_STATE_LOST", expected: "m1", found: null });
    expect(await state(t)).toMatchObject({ phase: "new", commitLsn: null });
    expect(await allDocs(t, "pg2c_checkpoint")).toEqual([]);
    expect(await row(t, "language", 7)).toBeNull();
  });

  it("is erased by resetMirror with the rest of the mirror's state", async () => {
    const t = newMirror();
    await claim(t, "m1");
    await apply(t, [language(1, "a", 100n)], { mirrorId: "m1", ...cp(100n) });
    for (let r = { isDone: false }; !r.isDone;) r = (await t.mutation(fns.resetMirror as any, { confirm: RESET_CONFIRMATION })) as { isDone: boolean };
    expect((await state(t)).mirror).toBeNull();
    expect(await refusal(apply(t, [language(1, "a", 200n)], { mirrorId: "m1", ...cp(200n) }))).toMatchObject({ pg2c: "MIRROR_STATE_LOST" });
  });
});
