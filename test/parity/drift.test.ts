// Each kind of drift, injected behind the bridge's back into a real mirror (PostgreSQL + wal2json, the
// local Convex over HTTP), must be reported with its table, key and columns, and nothing else may be.
import { afterEach, describe, expect, it } from "vitest";
import { makeFunctionReference } from "convex/server";
import { parseLsn } from "../../src/model/lsn";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import type { MirrorHandle } from "../../src/pipeline/mirror";
import { waitForStreaming } from "../support/wait";
import { otherDrift, parity, table, tamper, withTraffic } from "./support";

const SMALL = { languages: 6, courses: 5, stories: 300, users: 20 };
let env: MirrorEnv | undefined;

/** A converged mirror whose bridge streams the slot; it keeps running unless `stop` (then changes stay unmirrored). */
async function mirror(): Promise<{ env: MirrorEnv; bridge: MirrorHandle }> {
  env = await createMirrorEnv({ seed: SMALL });
  const bridge = await env.start();
  await env.waitConverged();
  await waitForStreaming(env);
  return { env, bridge };
}

afterEach(async () => {
  await env?.close();
  env = undefined;
});

const storyRow = async (e: MirrorEnv, where: string) => (await e.db.client.query(`SELECT * FROM story WHERE ${where} ORDER BY id LIMIT 1`)).rows[0];

describe("parity reports each injected drift with table, key and columns", () => {
  it("a Convex document edited while the bridge runs (full and sample modes)", async () => {
    const { env } = await mirror();
    await tamper(env, "story", [42], "patch", { name: "edited in Convex", todo_count: 77 });
    for (const mode of ["full", "sample"] as const) {
      const r = await withTraffic(env, () => parity(env, { mode, sample: 10_000 }));
      expect(r.lag.caughtUp).toBe(true);
      expect(table(r, "story").rows.drift).toEqual([expect.objectContaining({ kind: "mismatch", key: [42], columns: ["name", "todo_count"], convex: { name: "edited in Convex", todo_count: 77 } })]);
      expect(table(r, "story").rows.drift[0]!.note).toBeUndefined();
      // todo_count feeds course.todo_count: the course now disagrees with the Convex rows it is derived from.
      const course = (await env.db.client.query("SELECT course_id FROM story WHERE id = 42")).rows[0].course_id;
      expect(table(r, "course").invariants.drift).toEqual([expect.objectContaining({ kind: "derived", key: [course], field: "todo_count" })]);
      expect(otherDrift(r, "story", "course")).toEqual([]);
      expect(r.verdict).toBe("drift");
    }
  });

  it("a Convex document deleted: missing row, stale parent aggregates, dangling child references", async () => {
    const { env, bridge } = await mirror();
    await bridge.stop();
    const s = await storyRow(env, "public AND NOT deleted AND todo_count > 0 AND id IN (SELECT story_id FROM story_approval)");
    await tamper(env, "story", [s.id], "delete");
    const r = await parity(env, { mode: "full" });
    expect(table(r, "story").rows.drift).toEqual([expect.objectContaining({ kind: "missing", key: [s.id] })]);
    expect(
      table(r, "course")
        .invariants.drift.map((d) => [d.key, d.field])
        .sort(),
    ).toEqual([
      [[s.course_id], "count"],
      [[s.course_id], "todo_count"],
    ]);
    const approvals = (await env.db.client.query("SELECT id FROM story_approval WHERE story_id = $1 ORDER BY id", [s.id])).rows.map((a) => [a.id]);
    const inv = table(r, "story_approval").invariants;
    expect(inv.drift.map((d) => ({ key: d.key, field: d.field, kind: d.kind, expected: d.expected }))).toEqual(approvals.map((key) => ({ key, field: "story_id_ref", kind: "reference", expected: null })));
    expect(inv.unresolvedReferences).toBe(approvals.length);
    expect(otherDrift(r, "story", "course", "story_approval", "story_done")).toEqual([]);
  });

  it("an extra Convex document", async () => {
    const { env, bridge } = await mirror();
    await bridge.stop();
    await tamper(env, "avatar", [424242], "insert", { id: 424242, link: "https://example.com/ghost.png", name: "ghost" });
    const r = await parity(env, { mode: "full" });
    expect(table(r, "avatar").rows.drift).toEqual([expect.objectContaining({ kind: "extra", key: [424242] })]);
    expect(table(r, "avatar").counts).toMatchObject({ postgres: 40, convex: 41 });
    expect(otherDrift(r, "avatar")).toEqual([]);
    // Sample mode finds it through the successor of the largest key, and through the counts.
    const s = await parity(env, { mode: "sample", sample: 10_000 });
    expect(table(s, "avatar").rows.drift).toEqual([expect.objectContaining({ kind: "extra", key: [424242] })]);
    expect(table(s, "avatar").counts.status).toBe("drift");
  });

  it("a PostgreSQL row changed while the bridge is stopped, then skipped by the slot", async () => {
    const { env, bridge } = await mirror();
    await bridge.stop();
    await env.db.client.query("UPDATE language SET name = 'Renamed behind the bridge', rtl = true WHERE id = 3");
    const stopped = await parity(env, { mode: "full" });
    expect(stopped.lag).toMatchObject({ caughtUp: false, streaming: false });
    expect(table(stopped, "language").rows.drift).toEqual([expect.objectContaining({ kind: "mismatch", key: [3], columns: ["name", "rtl"], postgres: { name: "Renamed behind the bridge", rtl: true } })]);
    expect(table(stopped, "language").rows.drift[0]!.note).toMatch(/not caught up/);
    // Advancing the slot past the change means the bridge never sees it: permanent drift with the bridge running.
    // The bridge refuses a slot that starts after its Convex checkpoint (continuity), so the skip is recorded on
    // both sides, as if the change had been lost after the checkpoint passed it.
    const advanced = (await env.db.client.query("SELECT end_lsn::text AS lsn FROM pg_replication_slot_advance($1, pg_current_wal_lsn())", [env.config.slot])).rows[0].lsn as string;
    const skippedTo = parseLsn(advanced);
    const { mirror: identity } = await env.reader.state(env.config.slot);
    await env.convex.client.mutation(makeFunctionReference<"mutation">("mirror:applyBatch") as any, { slot: env.config.slot, mirrorId: identity!.mirrorId, batchId: "test-skip", ops: [], checkpoint: { commitLsn: skippedTo, endLsn: skippedTo } });
    await env.start();
    await waitForStreaming(env);
    const running = await withTraffic(env, () => parity(env, { mode: "full" }));
    expect(running.lag.caughtUp).toBe(true);
    expect(table(running, "language").rows.drift).toEqual([expect.objectContaining({ kind: "mismatch", key: [3], columns: ["name", "rtl"] })]);
    // course.*_language_name look the name up in Convex: still consistent with the (stale) Convex language row.
    expect(otherDrift(running, "language")).toEqual([]);
  });

  it("a derived field wrong in Convex", async () => {
    const { env, bridge } = await mirror();
    await bridge.stop();
    const real = (await env.reader.getByKeys("course", [[2]]))[0]!;
    await tamper(env, "course", [2], "patch", { count: 9999, learning_language_name: "wrong" });
    const r = await parity(env, { mode: "full" });
    const drift = table(r, "course").invariants.drift;
    expect(drift).toEqual(
      expect.arrayContaining([
        { kind: "derived", key: [2], keyText: "2", field: "count", expected: real.count, actual: 9999 },
        { kind: "lookup", key: [2], keyText: "2", field: "learning_language_name", expected: real.learning_language_name, actual: "wrong" },
      ]),
    );
    expect(drift).toHaveLength(2);
    // Derived fields are not compared with PostgreSQL's columns of the same name: no row drift.
    expect(table(r, "course").rows.driftTotal).toBe(0);
    expect(otherDrift(r, "course")).toEqual([]);
    // Sample mode checks the sampled rows' invariants too.
    const s = await parity(env, { mode: "sample", sample: 10_000 });
    expect(table(s, "course").invariants.drift).toHaveLength(2);
  });

  it("a stale PostgreSQL aggregate column is source-side drift, reported apart and not failing the run", async () => {
    const { env } = await mirror();
    // Make course 2's PostgreSQL copies right, then one of them stale: exactly one source-side finding for it.
    await env.db.client.query(`UPDATE course c SET count = (SELECT count(*) FROM story s WHERE s.course_id = c.id AND s.public AND NOT s.deleted) + 5 WHERE id = 2`);
    const r = await withTraffic(env, () => parity(env, { mode: "sample", sample: 50 }));
    const source = table(r, "course").source;
    const expected = (await env.db.client.query("SELECT count(*)::int AS n FROM story WHERE course_id = 2 AND public AND NOT deleted")).rows[0].n;
    expect(source.drift).toContainEqual({ field: "count", definition: "count(story by course_id where public=true, deleted=false)", key: [2], keyText: "2", stored: String(expected + 5), expected: String(expected) });
    expect(r.totals.sourceDrift).toBe(source.driftTotal);
    expect(r.verdict).toBe("clean");
    expect(table(r, "course").verdict).toBe("clean");
  });
});
