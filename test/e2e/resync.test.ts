// Re-sync while streaming (src/resync/), against real PostgreSQL + wal2json and the local Convex: a table copied
// again under a concurrent write load converges row for row (drift in Convex repaired, rows PostgreSQL no
// longer has removed), a SIGKILL mid-copy resumes, a table added to the definitions after streaming began is
// copied automatically and then streams, and a deployment missing a table is refused at start.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { tamper } from "../parity/support";
import { avatarLoad, resyncOf, waitResync } from "../resync/support";
import { waitUntil } from "../support/wait";
import { startMirror } from "../../src/pipeline/mirror";
import { referenceTables } from "../../tables/reference";
import { col, defineTable } from "../../src/definitions/define";
import { silentLogger } from "../../src/log";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));
const SMALL = { languages: 8, courses: 6, stories: 200, users: 20 };

function cli(env: MirrorEnv, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: env.db.url, CONVEX_URL: env.convex.url, CONVEX_ADMIN_KEY: env.convex.adminKey, PG2CONVEX_SLOT: env.config.slot, LOG_LEVEL: "silent", CI: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return once(child, "exit").then(([code]) => ({ code: code as number | null, out }));
}

describe("re-sync of a table while streaming", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: SMALL });
    await env.db.client.query("INSERT INTO avatar (id, link, name) SELECT g, 'seed', 'a' || g FROM generate_series(1000, 1599) g");
  });
  afterAll(async () => env?.close());

  it("converges row for row under concurrent writes, repairing drift and removing rows PostgreSQL does not have", async () => {
    const mirror = await env.start({ backfillChunkRows: 50, backfillRowsPerSecond: 600 });
    await env.waitConverged();
    // Drift behind the bridge's back: a row PostgreSQL never had, a wrong value, a missing document.
    await tamper(env, "avatar", [424242], "insert", { id: 424242, link: "ghost", name: "ghost" });
    await tamper(env, "avatar", [1001], "patch", { name: "wrong" });
    await tamper(env, "avatar", [1002], "delete");
    expect((await env.diffs()).rows.length).toBeGreaterThanOrEqual(3);

    const load = avatarLoad(env.db.url);
    const asked = await cli(env, ["resync", "--table", "avatar"]);
    expect(asked.out).toContain("re-sync of avatar requested");
    expect(asked.code).toBe(0);
    const running = await waitResync(env, "avatar", (r) => r.phase === "copying" && r.rows > 0);
    expect(running.lowLsn).not.toBeNull();
    const done = await waitResync(env, "avatar", (r) => r.phase === "done");
    const writes = await load.stop();
    expect(writes).toBeGreaterThan(0);
    expect(done.rows).toBeGreaterThan(600);
    await env.waitConverged();
    expect(await env.reader.getByKeys("avatar", [[424242]])).toEqual([null]);
    // The other tables streamed all along, and the stream goes on after the re-sync.
    await env.db.client.query("UPDATE avatar SET name = 'after' WHERE id = 1");
    await env.waitConverged();
    const status = await cli(env, ["status"]);
    expect(status.out).toContain("re-sync avatar: done");
    await mirror.stop();
  });

  it("resumes a re-sync interrupted by SIGKILL and converges", async () => {
    await tamper(env, "avatar", [434343], "insert", { id: 434343, link: "ghost", name: "ghost" });
    const first = env.spawnRun(["--backfill-chunk-rows", "40", "--backfill-rows-per-second", "150"]);
    await waitUntil("streaming", async () => (await env.reader.state(env.config.slot)).phase === "stream");
    await cli(env, ["resync", "--table", "avatar"]);
    const load = avatarLoad(env.db.url);
    const before = await waitResync(env, "avatar", (r) => r.phase === "copying" && r.rows >= 120);
    first.kill("SIGKILL");
    await once(first, "exit");
    const atKill = (await resyncOf(env, "avatar"))!;
    expect(atKill.id).toBe(before.id);
    expect(atKill.phase).toBe("copying");
    const second = env.spawnRun(["--backfill-chunk-rows", "40"]);
    const done = await waitResync(env, "avatar", (r) => r.phase === "done" && r.id === before.id);
    expect(done.rows).toBeGreaterThanOrEqual(atKill.rows);
    await load.stop();
    await env.waitConverged();
    expect(await env.reader.getByKeys("avatar", [[434343]])).toEqual([null]);
    second.kill("SIGTERM");
    await once(second, "exit");
  });
});

describe("a table added to the definitions after streaming began", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: SMALL });
  });
  afterAll(async () => env?.close());

  it("is copied automatically by the next run, then streams", async () => {
    const without = referenceTables.filter((t) => t.name !== "avatar" && t.name !== "avatar_mapping").map((t) => t.name);
    const first = env.spawnRun(["--tables", without.join(",")]);
    await waitUntil("streaming", async () => (await env.reader.state(env.config.slot)).phase === "stream");
    // Written while avatar is not mirrored: only a copy can bring these to Convex.
    await env.db.client.query("INSERT INTO avatar (id, link, name) SELECT g, 'late', 'late ' || g FROM generate_series(2000, 2300) g");
    await env.db.client.query("DELETE FROM avatar_mapping WHERE id % 3 = 0");
    first.kill("SIGTERM");
    await once(first, "exit");
    expect(await env.reader.countRows("avatar")).toBe(0);

    const second = env.spawnRun();
    const load = avatarLoad(env.db.url);
    await waitResync(env, "avatar", (r) => r.phase === "done");
    await waitResync(env, "avatar_mapping", (r) => r.phase === "done");
    await load.stop();
    await env.waitConverged();
    expect(second.output()).toContain("table added to the definitions after streaming began");
    await env.db.client.query("UPDATE avatar SET name = 'streamed' WHERE id = 2000");
    await waitUntil("avatar 2000 streamed", async () => (await env.reader.getByKeys("avatar", [[2000]]))[0]?.name === "streamed");
    second.kill("SIGTERM");
    await once(second, "exit");
  });

  it("is refused at start when the Convex deployment does not mirror it", async () => {
    await env.db.client.query("CREATE TABLE IF NOT EXISTS not_deployed (id int PRIMARY KEY, v text)");
    const extra = defineTable({ name: "not_deployed", primaryKey: ["id"], columns: { id: col.int4().notNull(), v: col.text() } });
    const err = await startMirror({ config: env.config, tables: [...referenceTables, extra], logger: silentLogger }).then(
      () => null,
      (e: unknown) => e as Error & { code?: string; fix?: string },
    );
    // The definitions check at start (definitions-check.ts) sees it first: the deployment was built without it.
    expect(err?.code, err?.message).toBe("DEFINITIONS_MISMATCH");
    expect(err?.message).toContain("not_deployed");
    expect(err?.fix).toContain("deploy");
  });
});
