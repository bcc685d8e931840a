// A leader deposed while its batch is retrying against an unreachable Convex (fault-random, FAULT_SEED=35001):
// it must not wait for that batch. Within a bound it is back in standby, its slot and SQL sessions are released,
// its timers are stopped, nothing it held back reaches Convex once Convex answers again, and when it can lead
// again it does and the mirror converges. Run in-process, as `run` wires it (lead loop → supervisor → mirror).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import pg from "pg";
import pino from "pino";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { waitUntil } from "../support/wait";
import { referenceTables } from "../../tables/reference";
import { leadAndStream, type Role } from "../../src/leadership/lead-loop";
import { superviseMirror, type SupervisedMirror } from "../../src/pipeline/supervisor";
import { createOutageTracker } from "../../src/observability/outage";
import { slotLockKey } from "../../src/postgres/advisory-lock";
import { processMutations } from "../../src/local-convex/mutation-log";

/** From the loss to standby; the bug waited for as long as Convex stayed unreachable. */
const STANDBY_BOUND_MS = 8_000;
const LEASE_MS = 6_000;

interface Line {
  at: number;
  msg: string;
  stage?: string;
  err?: { code?: string };
}

const proxyTo = (url: string) => {
  const u = new URL(url);
  return startTcpProxy({ host: u.hostname, port: Number(u.port) });
};

describe("a leader deposed while its batch retries against an unreachable Convex", () => {
  let env: MirrorEnv;
  let cx: TcpProxy;
  let pgProxy: TcpProxy;
  // The proxy's accept() listens again: only after a refuse().
  let refused = false;
  const refuseConvex = async () => {
    await cx.refuse();
    refused = true;
  };
  const acceptConvex = async () => {
    if (refused) await cx.accept();
    refused = false;
  };
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 4, courses: 3, stories: 40, users: 6 } });
    cx = await proxyTo(env.convex.url);
    pgProxy = await proxyTo(env.db.url);
  });
  afterAll(async () => {
    await cx?.close();
    await pgProxy?.close();
    await env?.close();
  });

  /** `run`'s lead loop in this process, through the proxies, with its log lines and roles recorded. */
  function lead() {
    const lines: Line[] = [];
    const out = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push({ at: Date.now(), ...(JSON.parse(chunk.toString()) as Omit<Line, "at">) }), cb()) });
    const logger = pino({ level: "info" }, out);
    const outages = createOutageTracker({ logger });
    const roles: Array<{ role: Role; at: number }> = [];
    let mirror: SupervisedMirror | undefined;
    let stopping = false;
    let convexFailures = 0;
    const config = { ...env.config, databaseUrl: pgProxy.via(env.db.url), convexUrl: cx.via(env.convex.url), heartbeatEvery: 200, catalogCheckIntervalMs: 200, leaderLease: LEASE_MS };
    const loop = leadAndStream<SupervisedMirror>({
      connectionString: config.databaseUrl,
      slot: config.slot,
      leaseMs: config.leaderLease,
      pollMs: 200,
      logger,
      outages,
      stopping: () => stopping,
      onMirror: (m) => (mirror = m),
      onRole: (role) => roles.push({ role, at: Date.now() }),
      start: async (leadership) =>
        superviseMirror({
          config,
          tables: referenceTables,
          logger,
          outages,
          leadership,
          abortSettleMs: 500,
          convexRetry: { retries: Number.POSITIVE_INFINITY, minRetryMs: 50, maxRetryMs: 300, observer: { failed: () => convexFailures++, succeeded: () => undefined } },
        }),
    });
    return {
      config,
      lines,
      mirror: () => mirror,
      /** Streaming, caught up, then Convex refused while a batch is in flight: it retries. */
      async retryingBatch() {
        await waitUntil("streaming", async () => mirror?.streaming() === true && (await slotActive()) === true);
        await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id <= 10");
        await env.waitConverged(60_000);
        await refuseConvex();
        const before = convexFailures;
        await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id <= 20");
        await waitUntil("the batch retrying", () => convexFailures >= before + 3);
      },
      /** Back in standby after `since`, within the bound, with LEADERSHIP_LOST as the reason; the time it said so. */
      async standsBy(since: number): Promise<number> {
        await waitUntil("back in standby", () => roles.some((r) => r.role === "standby" && r.at > since), STANDBY_BOUND_MS);
        const deposed = lines.find((l) => l.msg === "deposed as the slot's leader: standing by again" && l.at >= since);
        expect(deposed?.err?.code).toBe("LEADERSHIP_LOST");
        expect(mirror).toBeUndefined();
        return deposed!.at;
      },
      /** Nothing of the deposed run is heard after `at`: no heartbeat, catalog or recount line. */
      timersQuietAfter(at: number) {
        const late = lines.filter((l) => l.at > at && (l.stage === "heartbeat" || /catalog check|recount|heartbeat/.test(l.msg)));
        expect(late.map((l) => l.msg)).toEqual([]);
      },
      /** Leads again, streams, and the mirror converges. */
      async leadsAgainAndConverges() {
        await waitUntil("leading again", () => mirror?.streaming() === true, 60_000);
        await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id <= 30");
        await env.waitConverged(60_000);
      },
      async stop() {
        stopping = true;
        await acceptConvex();
        pgProxy.unstall();
        await mirror?.stop();
        // A loop left in standby (a failed assertion) would wait for the lock for ever.
        await Promise.race([loop.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
      },
    };
  }

  // The lock session alone (a pure deposal: the stream and its SQL session are still up), or every session of
  // the bridge (what a network cut or a restart does).
  it.each([
    ["its lock session", "application_name = 'pg2convex leader ' || $1"],
    ["every session of the bridge", "application_name LIKE 'pg2convex%' AND $1::text IS NOT NULL"],
  ])(
    "terminating %s: standby within the bound, everything released, nothing late written, leads again and converges",
    async (_what, sessions) => {
      const leader = lead();
      const blocker = new pg.Client({ connectionString: env.db.url });
      await blocker.connect();
      try {
        await leader.retryingBatch();
        // Deposed: its sessions end and another holder (the blocker, standing in for a standby) takes the lock.
        const key = slotLockKey(leader.config.slot);
        const deposedAt = Date.now();
        const mutationsAtLoss = processMutations.count;
        const pids = await env.db.client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND ${sessions}`, [leader.config.slot]);
        expect(pids.rows.length).toBeGreaterThan(0);
        await blocker.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])", [pids.rows.map((r) => r.pid)]);
        await blocker.query("SELECT pg_advisory_lock($1::int4, $2::int4)", [key.classId, key.objId]);

        const deposed = await leader.standsBy(deposedAt);
        expect(await slotActive()).toBe(false);
        // Only the standby's lock session is left: no SQL session, no walsender.
        expect((await bridgeSessions()).filter((n) => n !== `pg2convex leader ${leader.config.slot}`)).toEqual([]);

        // Convex answers again while the lock is held elsewhere: the deposed leader's batch never reaches it.
        await acceptConvex();
        await new Promise((r) => setTimeout(r, 1_500));
        expect(processMutations.since(mutationsAtLoss).map((m) => m.path)).toEqual([]);
        leader.timersQuietAfter(deposed);

        await blocker.query("SELECT pg_advisory_unlock($1::int4, $2::int4)", [key.classId, key.objId]);
        await leader.leadsAgainAndConverges();
      } finally {
        await blocker.end().catch(() => undefined);
        await leader.stop();
      }
    },
    120_000,
  );

  it("PostgreSQL frozen (nothing answers, nothing closes): the lease gives up, the stream is released within abortSettleMs, and it leads again once thawed", async () => {
    const leader = lead();
    try {
      await leader.retryingBatch();
      const frozenAt = Date.now();
      const mutationsAtLoss = processMutations.count;
      pgProxy.stall();
      // The lock's ping times out after leaseMs/2: the loss comes first, then standby within the bound.
      await waitUntil("the loss", () => leader.lines.some((l) => l.msg === "leadership lost: stopping writes at once" && l.at > frozenAt), LEASE_MS * 2);
      const lostAt = leader.lines.find((l) => l.msg === "leadership lost: stopping writes at once" && l.at > frozenAt)!.at;
      const deposed = await leader.standsBy(lostAt);
      // Its replication connection and SQL session were destroyed on this side, so the server ends them.
      await waitUntil("walsender and SQL session gone", async () => (await bridgeSessions()).every((n) => n.startsWith("pg2convex leader ")), 10_000);
      await acceptConvex();
      await new Promise((r) => setTimeout(r, 1_500));
      expect(processMutations.since(mutationsAtLoss).map((m) => m.path)).toEqual([]);
      leader.timersQuietAfter(deposed);

      pgProxy.unstall();
      await leader.leadsAgainAndConverges();
    } finally {
      await leader.stop();
    }
  }, 120_000);

  async function slotActive(): Promise<boolean | undefined> {
    const { rows } = await env.db.client.query<{ active: boolean }>("SELECT active FROM pg_replication_slots WHERE slot_name = $1", [env.config.slot]);
    return rows[0]?.active;
  }
  /** application_name of every bridge session in this test's database (other test files run beside it). */
  async function bridgeSessions(): Promise<string[]> {
    const { rows } = await env.db.client.query<{ application_name: string }>("SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'pg2convex%' AND pid <> pg_backend_pid()");
    return rows.map((r) => r.application_name);
  }
});
