// `dlq replay`, Convex side (control/replay.ts): the replayed row goes through the version rule and the entry
// is settled in the same transaction; a replay older than what Convex holds changes nothing; a row gone is a
// tombstone; the slot's checkpoint document is not touched. Plus the pure parts of the CLI side.
import { makeFunctionReference } from "convex/server";
import { describe, expect, it } from "vitest";
import { replayVerdict } from "../../src/mirror-functions/control/replay";
import { inProgress } from "../../src/dlq/read-current";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { allDocs, apply, del, newMirror, row, state, story, type Mirror } from "./harness";

const replay = makeFunctionReference<"mutation">("mirror:replayDeadLetter");
const reject = (id: number, ver: bigint): Op => ({ o: "reject", t: "story", k: [id], ver, code: "DOCUMENT_TOO_LARGE", reason: "r" });
const entry = async (t: Mirror, id: number) => (await allDocs(t, "pg2c_reject")).find((d) => d.key[0] === id)!;
const run = (t: Mirror, id: string, op: Op) => t.mutation(replay as any, { slot: "s1", id, op, actor: "tester" }) as Promise<Record<string, unknown>>;

describe("dlq replay (Convex side)", () => {
  it("applies the current row and records the entry resolved by the replay, with who and the version", async () => {
    const t = newMirror();
    await apply(t, [story(1, 10n, { name: "old" })], { checkpoint: { commitLsn: 10n, endLsn: 11n } });
    await apply(t, [reject(1, 20n)]);
    const before = await state(t);
    const e = await entry(t, 1);
    expect(await run(t, e._id, story(1, 30n, { name: "fixed" }))).toMatchObject({ outcome: "applied", entry: "replay", resolvedBy: 30n });
    expect((await row(t, "story", 1))?.name).toBe("fixed");
    expect(await entry(t, 1)).toMatchObject({ resolvedVia: "replay", resolvedBy: 30n, resolvedNote: expect.stringMatching(/^tester: replayed from PostgreSQL at 0\/1E$/) });
    expect(await state(t)).toEqual(before); // the stream's checkpoint is not the replay's business
    // Again: already resolved, and the same version is a no-op.
    expect(await run(t, e._id, story(1, 30n, { name: "fixed" }))).toMatchObject({ outcome: "skipped", entry: "already-resolved" });
  });

  it("never regresses a newer row: the op is skipped and the entry counts as resolved by that newer write", async () => {
    const t = newMirror();
    await apply(t, [reject(2, 20n)]);
    const e = await entry(t, 2);
    await apply(t, [story(2, 50n, { name: "newest" })]); // the stream got there first
    expect(await run(t, e._id, story(2, 40n, { name: "stale read" }))).toMatchObject({ outcome: "skipped", entry: "upsert", resolvedBy: 50n });
    expect((await row(t, "story", 2))?.name).toBe("newest");
    expect(await entry(t, 2)).toMatchObject({ resolvedVia: "upsert", resolvedBy: 50n });
  });

  it("a row gone from PostgreSQL is a delete: the doc goes, a tombstone keeps older upserts out", async () => {
    const t = newMirror();
    await apply(t, [story(3, 10n), reject(3, 20n)]);
    const e = await entry(t, 3);
    expect(await run(t, e._id, del("story", 3, 30n))).toMatchObject({ outcome: "applied", entry: "replay" });
    expect(await row(t, "story", 3)).toBeNull();
    await apply(t, [story(3, 25n)]); // a late, older change of the stream
    expect(await row(t, "story", 3)).toBeNull();
  });

  it("a row the mutation cannot store aborts: no new entry, the old one stays open", async () => {
    const t = newMirror();
    await apply(t, [reject(4, 20n)]);
    const e = await entry(t, 4);
    await expect(run(t, e._id, story(4, 30n, { text: "x".repeat(1_100_000) }))).rejects.toThrow(/DEAD_LETTER_UNSTORABLE|over|bytes/);
    expect((await allDocs(t, "pg2c_reject")).map((d) => [d.key[0], d.resolvedAt])).toEqual([[4, undefined]]);
  });

  it("refuses an op for another row than the entry's", async () => {
    const t = newMirror();
    await apply(t, [reject(5, 20n)]);
    await expect(run(t, (await entry(t, 5))._id, story(6, 30n))).rejects.toThrow(/not the dead letter's/);
  });
});

describe("dlq replay (pure parts)", () => {
  it("replayVerdict: resolved by the replay only when the stored version is the replay's", () => {
    expect(replayVerdict(null, 5n)).toBe("open");
    expect(replayVerdict({ resolvedBy: 5n, resolvedVia: "upsert" }, 5n)).toBe("replay");
    expect(replayVerdict({ resolvedBy: 5n, resolvedVia: "delete" }, 5n)).toBe("replay");
    expect(replayVerdict({ resolvedBy: 9n, resolvedVia: "upsert" }, 5n)).toBe("upsert");
    expect(replayVerdict({ resolvedBy: 5n, resolvedVia: "truncate" }, 5n)).toBe("truncate");
  });

  it("inProgress reads the xip list of pg_current_snapshot()", () => {
    expect(inProgress("100:105:")).toEqual([]);
    expect(inProgress("100:105:100,103")).toEqual(["100", "103"]);
  });
});
