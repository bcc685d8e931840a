// SIGKILL with immediate restart. The hard case is a process whose connections PostgreSQL does not see end (its
// machine vanished, the network was cut): its walsender holds the slot until wal_sender_timeout (60 s here) and
// its lock session until the lease expires. The proxy below keeps the killed process's server connections open
// and silent; the restarted process must end the stale walsender itself (it is provably this mirror's, and the
// new process leads) and stream again within seconds, converged row for row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { healthUrl, waitLeading } from "../support/run-health";
import { startHoldProxy, type HoldProxy } from "../support/tcp-hold-proxy";
import { waitUntil } from "../support/wait";

/** Generous for a loaded CI machine, and far below wal_sender_timeout (60 s), which bounds it without the takeover. */
const RESUME_BOUND_MS = 15_000;

describe("SIGKILL with immediate restart", () => {
  let env: MirrorEnv;
  let proxy: HoldProxy;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 6, courses: 5, stories: 300, users: 20 } });
    const u = new URL(env.db.url);
    proxy = await startHoldProxy(u.hostname, Number(u.port));
  });
  afterAll(async () => {
    await proxy?.close();
    await env?.close();
  });

  const load = (stop: () => boolean) =>
    (async () => {
      for (let i = 0; !stop() || i < 80; i++) {
        await env.db.client.query("UPDATE story SET todo_count = todo_count + 1, change_date = now() WHERE id = $1", [1 + (i % 50)]);
        if (i % 5 === 0) await env.db.client.query("INSERT INTO story_done (user_id, story_id) VALUES ($1, $2)", [1 + (i % 20), 1 + (i % 300)]);
      }
    })();

  const activePid = async () => ((await env.db.client.query("SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1", [env.config.slot])).rows[0]?.active_pid as number | null) ?? undefined;

  it("a process whose connections outlive it: the restart ends its walsender and resumes in seconds", async () => {
    const first = env.spawnRun(["--database-url", proxy.urlFor(env.db.url), "--leader-lease", "3s"]);
    await waitLeading(await healthUrl(first));
    const stalePid = await waitUntil("the first walsender", activePid);
    let stop = false;
    const writes = load(() => stop);
    await new Promise((r) => setTimeout(r, 500));
    proxy.holdOnClientClose(true);
    first.kill("SIGKILL");
    await once(first, "exit");
    // The proxy sees the dead client's sockets close a moment after the exit event, and holds their server side.
    await waitUntil("the proxy to hold the dead process's connections", () => proxy.held() > 0, 10_000);
    expect(await activePid()).toBe(stalePid); // PostgreSQL still sees the dead process streaming

    const second = env.spawnRun(["--leader-lease", "3s"]);
    const url = await healthUrl(second);
    await waitLeading(url, RESUME_BOUND_MS);
    await waitUntil("a new walsender", async () => ((await activePid()) ?? stalePid) !== stalePid, RESUME_BOUND_MS);
    expect(second.output()).toMatch(/previous pg2convex instance of this mirror: ending it/);
    stop = true;
    await writes;
    await env.waitConverged(120_000);
    second.kill("SIGTERM");
    expect((await once(second, "exit"))[0]).toBe(0);
  });

  it("a plain SIGKILL under load and an immediate restart resume in seconds", async () => {
    proxy.holdOnClientClose(false);
    const first = env.spawnRun();
    await waitLeading(await healthUrl(first));
    let stop = false;
    const writes = load(() => stop);
    await new Promise((r) => setTimeout(r, 500));
    first.kill("SIGKILL");
    await once(first, "exit");
    const second = env.spawnRun();
    await waitLeading(await healthUrl(second), RESUME_BOUND_MS);
    stop = true;
    await writes;
    await env.waitConverged(120_000);
    second.kill("SIGTERM");
    expect((await once(second, "exit"))[0]).toBe(0);
  });
});
