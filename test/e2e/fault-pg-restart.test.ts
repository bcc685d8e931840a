// Fault injection (issue 8, item 7): PostgreSQL restarts (`pg_ctl restart -m fast`) twice under a steady write
// load. The bridge (the real process) must ride through in-process — reconnect, re-prove continuity, resume from
// the Convex checkpoint — and the mirror must end converged row for row, with no duplicate and nothing lost.
// A dedicated cluster: restarting the run's shared one would cut every other test file's sessions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startCluster, type PgCluster } from "../../src/devtools/pg-cluster";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { spawnBridge, expectAlive } from "../support/fault-bridge";
import { startSteadyWorkload } from "../support/steady-workload";
import { waitUntil } from "../support/wait";

describe("fault injection: PostgreSQL restart under load", () => {
  let cluster: PgCluster;
  let env: MirrorEnv;
  beforeAll(async () => {
    cluster = await startCluster();
    env = await createMirrorEnv({ seed: { languages: 6, courses: 4, stories: 80, users: 8 }, adminUrl: cluster.url("postgres") });
  }, 120_000);
  afterAll(async () => {
    await env?.close().catch(() => undefined);
    await cluster?.stop();
  });

  it("reconnects after each restart without exiting, and converges", async () => {
    // The restart ends the test's own session too: without a listener its 'error' would be uncaught.
    env.db.client.on("error", () => undefined);
    const bridge = spawnBridge(env);
    await bridge.waitFor(/"msg":"replication started"/, 90_000);
    const load = startSteadyWorkload(env.db.url, { seed: 8 });
    for (let round = 1; round <= 2; round++) {
      const before = load.committed();
      await waitUntil("writes before the restart", () => load.committed() >= before + 20, 60_000);
      try {
        await cluster.restart();
      } catch (e) {
        const { readFileSync } = await import("node:fs");
        throw new Error(`${(e as Error).message}\nbridge:\n${bridge.stdout().slice(-6000)}\npostgres:\n${readFileSync(`${cluster.dir}/postgres.log`, "utf8").slice(-4000)}`, { cause: e });
      }
      await waitUntil(`recovery ${round}`, () => (bridge.stdout().match(/PostgreSQL recovered after/g)?.length ?? 0) >= round, 90_000);
      expectAlive(bridge);
    }
    const after = load.committed();
    await waitUntil("writes after the last restart", () => load.committed() >= after + 20, 60_000);
    await load.stop();
    // The test's own client died with the restart: a new one for the oracle.
    await env.db.client.end().catch(() => undefined);
    env.db.client = new pg.Client(env.db.url);
    env.db.client.on("error", () => undefined);
    await env.db.client.connect();
    await env.waitConverged(120_000);
    expectAlive(bridge);
    // One line per state change: down and recovered once per restart, none per attempt.
    expect(bridge.stdout().match(/PostgreSQL is down/g)).toHaveLength(2);
    bridge.child.kill("SIGTERM");
    expect((await bridge.exited(40_000)).code).toBe(0);
  }, 400_000);
});
