// Row ops and the version rules, through the registered mirror:applyBatch with limits enforced.
import { describe, expect, it } from "vitest";
import { apply, course, del, language, newMirror, row, fns, story, trunc, up, allDocs } from "./harness";

describe("applyBatch: row ops and versions", () => {
  it("inserts, updates and deletes; a delete leaves a tombstone", async () => {
    const t = newMirror();
    expect(await apply(t, [language(1, "French", 10n)])).toEqual({ applied: 1, skipped: 0, rejected: 0, complete: true });
    expect((await row(t, "language", 1))?.name).toBe("French");
    await apply(t, [language(1, "Français", 20n)]);
    const doc = await row(t, "language", 1);
    expect(doc?.name).toBe("Français");
    expect(doc?.pg2c_version).toBe(20n);
    await apply(t, [del("language", 1, 30n)]);
    expect(await row(t, "language", 1)).toBeNull();
    const tombs = await allDocs(t, "pg2c_tombstone");
    expect(tombs.map((x) => [x.table, x.key, x.ver])).toEqual([["language", "[1]", 30n]]);
  });

  it("replaying a batch changes nothing", async () => {
    const t = newMirror();
    const ops = [language(1, "French", 10n), course(5, 10n, { learning_language: 1 }), story(9, 10n, { course_id: 5 })];
    await apply(t, ops);
    const before = await snapshot(t);
    expect(await apply(t, ops)).toEqual({ applied: 0, skipped: 3, rejected: 0, complete: true });
    expect(await snapshot(t)).toEqual(before);
  });

  it("an older version after a newer one is ignored (no regression)", async () => {
    const t = newMirror();
    await apply(t, [language(1, "new", 20n)]);
    expect((await apply(t, [language(1, "old", 10n)])).skipped).toBe(1);
    expect((await row(t, "language", 1))?.name).toBe("new");
  });

  it("an upsert older than a delete does not resurrect the row, even when the delete came first", async () => {
    const t = newMirror();
    await apply(t, [language(1, "a", 10n), del("language", 1, 20n)]);
    await apply(t, [language(1, "a", 10n), language(1, "b", 15n)]);
    expect(await row(t, "language", 1)).toBeNull();
    const t2 = newMirror();
    await apply(t2, [del("language", 2, 20n)]); // delete arrives before the row ever did
    await apply(t2, [language(2, "x", 10n)]);
    expect(await row(t2, "language", 2)).toBeNull();
    await apply(t2, [language(2, "y", 21n)]); // a genuinely newer insert does apply and clears the tombstone
    expect((await row(t2, "language", 2))?.name).toBe("y");
    expect(await allDocs(t2, "pg2c_tombstone")).toEqual([]);
  });

  it("a primary-key change (delete + insert in one transaction) moves the row", async () => {
    const t = newMirror();
    await apply(t, [language(1, "a", 10n)]);
    await apply(t, [del("language", 1, 20n), language(2, "a", 20n)]);
    expect(await row(t, "language", 1)).toBeNull();
    expect((await row(t, "language", 2))?.pg2c_version).toBe(20n);
  });

  it("within one batch, a later op on the same key and version wins; its replay is a no-op", async () => {
    const t = newMirror();
    const ops = [language(1, "first", 10n), language(1, "second", 10n), del("language", 2, 10n), language(2, "back", 10n)];
    await apply(t, ops);
    expect((await row(t, "language", 1))?.name).toBe("second");
    expect((await row(t, "language", 2))?.name).toBe("back");
    expect((await apply(t, ops)).applied).toBe(0);
    expect((await row(t, "language", 1))?.name).toBe("second");
  });

  it("a partial (TOAST) upsert keeps the omitted columns; without a row it is rejected", async () => {
    const t = newMirror();
    await apply(t, [story(1, 10n, { text: "a very long TOASTed text", name: "n1" })]);
    await apply(t, [up("story", 1, 20n, { name: "n2" }, true)]);
    const doc = await row(t, "story", 1);
    expect(doc?.text).toBe("a very long TOASTed text");
    expect(doc?.name).toBe("n2");
    const r = await apply(t, [up("story", 2, 20n, { name: "orphan" }, true)]);
    expect(r).toMatchObject({ applied: 0, rejected: 1 });
    expect(await row(t, "story", 2)).toBeNull();
    await apply(t, [up("story", 2, 20n, { name: "orphan" }, true)]);
    const rejects = (await t.query(fns.listRejects as any, {})) as { page: Array<Record<string, any>> };
    expect(rejects.page.map((x) => [x.table, x.keyString, x.code])).toEqual([["story", "[2]", "PARTIAL_WITHOUT_ROW"]]);
  });

  it("reject ops are recorded once", async () => {
    const t = newMirror();
    const op = { o: "reject" as const, t: "story", k: [3], ver: 10n, code: "DOC_TOO_LARGE", reason: "2 MiB" };
    expect((await apply(t, [op])).rejected).toBe(1);
    await apply(t, [op]);
    expect((await allDocs(t, "pg2c_reject")).map((x) => x.code)).toEqual(["DOC_TOO_LARGE"]);
  });

  it("truncate removes older rows, keeps rows of the truncating transaction, and blocks older upserts", async () => {
    const t = newMirror();
    await apply(t, [language(1, "a", 10n), language(2, "b", 10n), del("language", 3, 12n)]);
    await apply(t, [trunc(["language"], 20n), language(4, "after", 20n)]);
    expect((await allDocs(t, "language")).map((x) => x.id)).toEqual([4]);
    expect(await allDocs(t, "pg2c_tombstone")).toEqual([]);
    await apply(t, [language(1, "late replay", 15n), del("language", 4, 19n)]);
    expect((await allDocs(t, "language")).map((x) => x.id)).toEqual([4]);
    // The truncate commutes with its own transaction's rows: the same ops in the other order agree.
    const t2 = newMirror();
    await apply(t2, [language(1, "a", 10n), language(2, "b", 10n), language(4, "after", 20n), trunc(["language"], 20n)]);
    expect((await allDocs(t2, "language")).map((x) => x.id)).toEqual([4]);
  });

  it("rejects unknown tables and keys of the wrong arity", async () => {
    const t = newMirror();
    await expect(apply(t, [up("nope", 1, 1n, {})])).rejects.toThrow(/not mirrored/);
    await expect(apply(t, [{ o: "delete", t: "language", k: [1, 2], ver: 1n }])).rejects.toThrow(/does not match primary key/);
  });
});

async function snapshot(t: ReturnType<typeof newMirror>) {
  const out: Record<string, unknown> = {};
  for (const table of ["language", "course", "story", "pg2c_tombstone", "pg2c_table_state"]) out[table] = await allDocs(t, table);
  return out;
}
