// Exactly-once effect: SIGKILL the bridge mid-backfill and mid-stream, restart, and the mirror converges
// with no duplicate and no lost change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { waitUntil as until } from "../support/wait";

describe("crash safety (SIGKILL) with the real CLI", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 12, courses: 10, stories: 3000, users: 40 } });
  });
  afterAll(async () => env?.close());

  it("resumes an interrupted backfill and converges, with writes made while it was down", async () => {
    const first = env.spawnRun(["--backfill-rows-per-second", "1500", "--backfill-chunk-rows", "100"]);
    // Kill it once some, but not all, of the backfill is durable in Convex.
    const progress = await until("backfill progress", async () => {
      const s = await env.reader.state(env.config.slot).catch(() => undefined);
      const rows = s?.backfill.reduce((a, p) => a + p.rows, 0) ?? 0;
      return s?.phase === "backfill" && rows > 300 ? rows : undefined;
    });
    first.kill("SIGKILL");
    await once(first, "exit");
    expect(progress).toBeGreaterThan(0);
    expect((await env.reader.state(env.config.slot)).phase).toBe("backfill");
    // Changes while the bridge is down: they must arrive through the slot after the resumed backfill.
    await env.db.client.query("UPDATE story SET public = NOT public WHERE id % 7 = 0");
    await env.db.client.query("DELETE FROM story WHERE id % 97 = 0");
    await env.db.client.query("INSERT INTO story (name, set_id, set_index, course_id, public, deleted, todo_count) VALUES ('while down', 1, 1, 2, true, false, 5)");

    const second = env.spawnRun();
    await env.waitConverged(120_000);
    expect((await env.reader.state(env.config.slot)).phase).toBe("stream");
    second.kill("SIGKILL");
    await once(second, "exit");
  });

  it("replays changes received but not applied when killed mid-stream", async () => {
    const run = env.spawnRun();
    await until("streaming", async () => (await env.reader.state(env.config.slot)).phase === "stream");
    // A steady write load; kill the bridge in the middle of it.
    const writes = (async () => {
      for (let i = 0; i < 150; i++) {
        await env.db.client.query("UPDATE story SET todo_count = todo_count + 1, change_date = now() WHERE id = $1", [1 + (i % 40)]);
        if (i % 10 === 0) await env.db.client.query("INSERT INTO story_done (user_id, story_id) VALUES (1, $1)", [1 + i]);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    run.kill("SIGKILL");
    await once(run, "exit");
    await writes;
    const restarted = env.spawnRun();
    await env.waitConverged(120_000);
    restarted.kill("SIGTERM");
    const [code] = await once(restarted, "exit");
    expect(code).toBe(0); // graceful stop after the in-flight batch
  });
});
