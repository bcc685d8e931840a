// Fault injection (issue 8, item 7): random cuts, refusals, stalls and slow paths of both connections (bridge ↔
// PostgreSQL, bridge ↔ Convex) under a steady write load, then SIGTERM under load. The bridge (the real process)
// never exits on a transient fault, and every scenario ends converged row for row, with no duplicate and
// nothing lost. The fault schedule is seeded (FAULT_SEED): a failure names its seed and can be replayed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { spawnBridge, expectAlive } from "../support/fault-bridge";
import { prng, startSteadyWorkload } from "../support/steady-workload";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { waitUntil } from "../support/wait";

const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
const FAULTS = 14;

const proxyFor = async (url: string) => {
  const u = new URL(url);
  return startTcpProxy({ host: u.hostname, port: Number(u.port) });
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`fault injection: random faults of both connections (FAULT_SEED=${SEED})`, () => {
  let env: MirrorEnv;
  let pgProxy: TcpProxy;
  let cxProxy: TcpProxy;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 6, courses: 4, stories: 80, users: 8 } });
    pgProxy = await proxyFor(env.db.url);
    cxProxy = await proxyFor(env.convex.url);
  });
  afterAll(async () => {
    await pgProxy?.close();
    await cxProxy?.close();
    await env?.close();
  });

  it("rides through random cuts, refusals, stalls and slow paths, and converges", async () => {
    const bridge = spawnBridge(env, { databaseUrl: pgProxy.via(env.db.url), convexUrl: cxProxy.via(env.convex.url) });
    await bridge.waitFor(/"msg":"replication started"/, 90_000);
    const load = startSteadyWorkload(env.db.url, { seed: SEED, pauseMs: 10 });
    const random = prng(SEED);
    const faults: string[] = [];
    for (let i = 0; i < FAULTS; i++) {
      await sleep(1_000 + random() * 3_000);
      const proxy = random() < 0.5 ? pgProxy : cxProxy;
      const which = proxy === pgProxy ? "postgres" : "convex";
      const kind = Math.floor(random() * 4);
      const lasts = 500 + random() * 4_000;
      faults.push(`${which}:${["cut", "refuse", "stall", "slow"][kind]}:${Math.round(lasts)}ms`);
      if (kind === 0) proxy.cut();
      else if (kind === 1) {
        await proxy.refuse();
        await sleep(lasts);
        await proxy.accept();
      } else if (kind === 2) {
        proxy.stall();
        await sleep(lasts);
        proxy.unstall();
      } else {
        proxy.slow(20 + Math.round(random() * 80));
        await sleep(lasts);
        proxy.slow(0);
      }
      expectAlive(bridge);
    }
    await load.stop();
    try {
      await env.waitConverged(180_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nfaults: ${faults.join(", ")}\n${bridge.stdout().slice(-4000)}`, { cause: e });
    }
    expectAlive(bridge);
    bridge.child.kill("SIGTERM");
    expect((await bridge.exited(40_000)).code).toBe(0);
  }, 400_000);

  it("SIGTERM under load: finishes the in-flight batch, exits 0, and a restart converges", async () => {
    const bridge = spawnBridge(env);
    await bridge.waitFor(/"msg":"replication started"/, 90_000);
    const load = startSteadyWorkload(env.db.url, { seed: SEED + 1 });
    await waitUntil("writes streaming", () => load.committed() >= 50);
    const asked = Date.now();
    bridge.child.kill("SIGTERM");
    const { code } = await bridge.exited(40_000);
    expect(code).toBe(0);
    expect(Date.now() - asked).toBeLessThan(30_000); // the default --shutdown-timeout
    expect(bridge.stdout()).toMatch(/"msg":"stopped"/);
    const again = spawnBridge(env);
    await again.waitFor(/"msg":"replication started"/, 90_000);
    await waitUntil("more writes", () => load.committed() >= 150);
    await load.stop();
    await env.waitConverged(120_000);
    expectAlive(again);
    again.child.kill("SIGTERM");
    expect((await again.exited(40_000)).code).toBe(0);
  });

  it("SIGTERM while a Convex call hangs: exits within --shutdown-timeout, non-zero, saying so", async () => {
    const bridge = spawnBridge(env, { convexUrl: cxProxy.via(env.convex.url) }, ["--shutdown-timeout", "4s"]);
    await bridge.waitFor(/"msg":"replication started"/, 90_000);
    cxProxy.stall();
    try {
      await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id = 1");
      await sleep(500);
      const asked = Date.now();
      bridge.child.kill("SIGTERM");
      const { code } = await bridge.exited(30_000);
      expect(code).toBe(1);
      expect(Date.now() - asked).toBeLessThan(15_000);
      expect(bridge.errorLines()).toEqual([expect.stringMatching(/^pg2convex run: did not stop within 4 s \(--shutdown-timeout/)]);
    } finally {
      cxProxy.unstall();
    }
    // Nothing was lost by the forced exit: a restart converges. The stalled update may land once the proxy
    // lets it through, so convergence can be instant: wait until the restart streams (its signal handlers are
    // installed by then) before asking it to stop.
    const again = spawnBridge(env);
    await again.waitFor(/"msg":"replication started"/, 90_000);
    await env.waitConverged(120_000);
    again.child.kill("SIGTERM");
    expect((await again.exited(40_000)).code).toBe(0);
  });
});
