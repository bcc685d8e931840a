// Fault injection (issue 8, item 7): Convex unreachable for about two minutes (connections refused, then a
// stalled path) under a steady write load. The bridge (the real process) must not exit: each Convex call is
// retried with capped backoff for as long as the outage lasts, /healthz says "degraded" naming Convex, the
// outage metrics count, one line is logged when it goes down and one when it is back, and the mirror ends
// converged row for row, with no duplicate and nothing lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { spawnBridge, expectAlive } from "../support/fault-bridge";
import { startSteadyWorkload } from "../support/steady-workload";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { waitUntil } from "../support/wait";

const REFUSED_MS = 95_000;
const STALLED_MS = 30_000;

describe("fault injection: a Convex outage of minutes", () => {
  let env: MirrorEnv;
  let proxy: TcpProxy;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 6, courses: 4, stories: 80, users: 8 } });
    const u = new URL(env.convex.url);
    proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
  });
  afterAll(async () => {
    await proxy?.close();
    await env?.close();
  });

  it("rides out the outage in-process, degraded meanwhile, and converges", async () => {
    const bridge = spawnBridge(env, { convexUrl: proxy.via(env.convex.url) });
    await bridge.waitFor(/"msg":"replication started"/, 90_000);
    const load = startSteadyWorkload(env.db.url, { seed: 21, pauseMs: 20 });
    await waitUntil("writes before the outage", () => load.committed() >= 20);

    await proxy.refuse();
    await bridge.waitFor(/Convex is down; retrying with backoff/, 60_000);
    const degraded = await waitUntil("/healthz degraded naming Convex", async () => {
      const h = await bridge.health();
      return h.status === 200 && h.body.status === "degraded" && h.body.degraded?.some((r) => /^Convex unreachable since \S+ .*CONVEX_UNREACHABLE/.test(r)) ? h : undefined;
    });
    expect(degraded.body.phase).toBe("streaming");
    await new Promise((r) => setTimeout(r, REFUSED_MS));
    expectAlive(bridge);
    // A stalled path next: connections accepted, no byte forwarded (each attempt times out or waits).
    proxy.stall();
    await proxy.accept();
    await new Promise((r) => setTimeout(r, STALLED_MS));
    expectAlive(bridge);
    expect(await bridge.metric('pg2convex_outage_current_seconds{dependency="convex"}')).toBeGreaterThan((REFUSED_MS + STALLED_MS) / 1000 - 15);
    expect(await bridge.metric('pg2convex_retry_attempts_total{dependency="convex"}')).toBeGreaterThan(3);

    proxy.unstall();
    await bridge.waitFor(/Convex recovered after \d+ s/, 120_000);
    await load.stop();
    await env.waitConverged(120_000);
    expectAlive(bridge);
    expect((await bridge.health()).body.status).toBe("ok");
    expect(await bridge.metric('pg2convex_outage_current_seconds{dependency="convex"}')).toBe(0);
    expect(await bridge.metric('pg2convex_outage_seconds_total{dependency="convex"}')).toBeGreaterThan((REFUSED_MS + STALLED_MS) / 1000 - 15);
    // One line per state change, none per attempt.
    expect(bridge.stdout().match(/Convex is down/g)).toHaveLength(1);
    expect(bridge.stdout().match(/Convex recovered after/g)).toHaveLength(1);
    expect(bridge.stdout()).not.toMatch(/"level":40[^\n]*Convex call failed; retrying/);
    bridge.child.kill("SIGTERM");
    expect((await bridge.exited(40_000)).code).toBe(0);
  }, 480_000);
});
