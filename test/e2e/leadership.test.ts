// Leader and standby with the real CLI: two `run` processes on one slot, exactly one streams; kill -9 the
// leader under load and the standby takes over within seconds and the mirror converges row for row. And the
// fencing seen from the bridge: a sink of a deposed leader gets LEADER_FENCED from the stand-in, not a retry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { healthUrl, readyz, waitLeading } from "../support/run-health";
import { waitUntil } from "../support/wait";
import { createConvexSink } from "../../src/sink";
import { silentLogger } from "../../src/log";
import { Pg2ConvexError } from "../../src/errors";

/** Generous for a loaded CI machine; without a standby the mirror would stop until someone acts. */
const TAKEOVER_BOUND_MS = 15_000;

describe("leader and standby", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 6, courses: 5, stories: 300, users: 20 } });
  });
  afterAll(async () => env?.close());

  it("one of two runs leads, the other stands by; kill -9 of the leader under load: the standby takes over and converges", async () => {
    const a = env.spawnRun();
    const urlA = await healthUrl(a);
    await waitLeading(urlA);
    const b = env.spawnRun();
    const urlB = await healthUrl(b);
    await waitUntil("b standing by", () => /standing by/.test(b.output()));
    expect(await readyz(urlB)).toMatchObject({ status: 503, body: { role: "standby", phase: "standby" } });
    expect((await fetch(`${urlB}/healthz`)).status).toBe(200);
    expect(await readyz(urlA)).toMatchObject({ status: 200, body: { role: "leader", phase: "streaming" } });

    let writing = true;
    const load = (async () => {
      for (let i = 0; writing || i < 100; i++) {
        await env.db.client.query("UPDATE story SET todo_count = todo_count + 1, change_date = now() WHERE id = $1", [1 + (i % 50)]);
        if (i % 7 === 0) await env.db.client.query("INSERT INTO story_done (user_id, story_id) VALUES ($1, $2)", [1 + (i % 20), 1 + (i % 300)]);
        if (i % 11 === 0) await env.db.client.query("DELETE FROM story_done WHERE id = (SELECT min(id) FROM story_done)");
      }
    })();
    await waitUntil("batches from the leader", async () => (await env.reader.state(env.config.slot)).commitLsn !== null);
    await new Promise((r) => setTimeout(r, 500));
    a.kill("SIGKILL");
    await once(a, "exit");
    await waitLeading(urlB, TAKEOVER_BOUND_MS);
    expect(b.output()).toMatch(/won the slot's leadership lock/);
    expect(b.output()).toMatch(/"epoch":2/);
    writing = false;
    await load;
    await env.waitConverged(120_000);
    b.kill("SIGTERM");
    const [code] = await once(b, "exit");
    expect(code).toBe(0);
  });

  it("a leader whose lock session is terminated while streaming stops, stands by, leads again and converges", async () => {
    const run = env.spawnRun();
    const url = await healthUrl(run);
    await waitLeading(url);
    const epochs = () => [...run.output().matchAll(/"epoch":(\d+)/g)].map((m) => Number(m[1]));
    const first = Math.max(...epochs());
    await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id <= 20");
    await env.db.client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`pg2convex leader ${env.config.slot}`]);
    await waitUntil("back to standby", () => /deposed as the slot's leader: standing by again/.test(run.output()));
    await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id <= 30");
    await waitUntil("a new epoch", () => Math.max(...epochs()) > first);
    await waitLeading(url);
    await env.waitConverged(60_000);
    expect(run.exitCode).toBeNull();
    run.kill("SIGTERM");
    expect((await once(run, "exit"))[0]).toBe(0);
  });

  it("Convex refuses the deposed leader's late batch with LEADER_FENCED (permanent: no retry)", async () => {
    const sink = () => createConvexSink({ url: env.convex.url, adminKey: env.convex.adminKey, slot: env.config.slot, module: "mirror", logger: silentLogger, retries: 3 });
    const old = sink();
    const current = sink();
    const first = await old.claimLeadership!("old");
    const state = await old.state();
    await old.claimMirror(state.mirror!, true);
    const second = await current.claimLeadership!("current");
    expect(second.epoch).toBe(first.epoch + 1);
    const checkpoint = { commitLsn: state.commitLsn! + 1n, endLsn: state.endLsn! + 1n };
    const late = await old.apply({ id: "late", ops: [], checkpoint, txCount: 0, rowCount: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(late).toBeInstanceOf(Pg2ConvexError);
    expect(late).toMatchObject({ code: "LEADER_FENCED", retryable: false });
    expect((await current.state()).commitLsn).toBe(state.commitLsn);
    await current.claimMirror(state.mirror!, true);
    await current.apply({ id: "current", ops: [], checkpoint, txCount: 0, rowCount: 0 });
    expect((await current.state()).commitLsn).toBe(checkpoint.commitLsn);
  });
});
