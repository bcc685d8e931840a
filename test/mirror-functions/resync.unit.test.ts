// Re-sync requests and progress in the slot's checkpoint (resync-rules.ts, resync-request.ts), through the
// real mutations in convex-test.
import { describe, expect, it } from "vitest";
import { makeFunctionReference } from "convex/server";
import type { ResyncProgress } from "../../src/mirror-functions/wire/protocol";
import { apply, language, newMirror, state } from "./harness";

const requestResync = makeFunctionReference<"mutation">("mirror:requestResync");

describe("re-sync requests", () => {
  it("records one request per table, keeps one under way, and starts a new one after it is done", async () => {
    const t = newMirror();
    await expect(t.mutation(requestResync as any, { slot: "s1", table: "language", id: "early" })).rejects.toThrow(/not streaming yet \(phase new\)/);
    expect((await state(t)).updatedAt).toBeNull(); // no checkpoint document was made
    await apply(t, [], { checkpoint: { commitLsn: 100n, endLsn: 108n } });
    const a = (await t.mutation(requestResync as any, { slot: "s1", table: "language", id: "a" })) as ResyncProgress;
    expect(a).toMatchObject({ table: "language", id: "a", phase: "requested", rows: 0, lowLsn: null, after: null });
    expect(await t.mutation(requestResync as any, { slot: "s1", table: "language", id: "b" })).toMatchObject({ id: "a" });
    const progress = (p: Partial<ResyncProgress>): { resync: ResyncProgress } => ({ resync: { ...a, updatedAt: 1, ...p } });
    await apply(t, [language(1, "x", 300n)], progress({ phase: "copying", lowLsn: 200n, after: ["1"], rows: 1 }));
    await apply(t, [], progress({ phase: "copying", lowLsn: 250n, after: ["2"], rows: 2 }));
    // An older batch sent again, and progress of another request id, move nothing.
    await apply(t, [], progress({ phase: "copying", after: ["1"], rows: 1 }));
    await apply(t, [], { resync: { ...a, id: "zzz", phase: "done", rows: 99, updatedAt: 1 } });
    expect((await state(t)).resync).toEqual([expect.objectContaining({ id: "a", phase: "copying", lowLsn: 200n, after: ["2"], rows: 2 })]);
    await apply(t, [], progress({ phase: "done", after: null, rows: 2 }));
    await apply(t, [], progress({ phase: "copying", rows: 5 })); // never back
    expect((await state(t)).resync?.[0]).toMatchObject({ phase: "done", rows: 2 });
    expect(await t.mutation(requestResync as any, { slot: "s1", table: "language", id: "c" })).toMatchObject({ id: "c", phase: "requested" });
    expect((await state(t)).resync).toHaveLength(1);
  });

  it("refuses a table the deployment does not mirror", async () => {
    const t = newMirror();
    await apply(t, [], { checkpoint: { commitLsn: 100n, endLsn: 108n } });
    await expect(t.mutation(requestResync as any, { slot: "s1", table: "nope", id: "a" })).rejects.toThrow(/not mirrored by this deployment/);
  });
});
