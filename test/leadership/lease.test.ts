// The slot's leadership lock on real PostgreSQL: one holder at a time, a standby takes over once the holder's
// session ends, and a holder cut off from the server (nothing closed, nothing answered) declares the lock lost
// before the server's lease hands it to the standby. A lost leadership gates every write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import pino from "pino";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { startHoldProxy, type HoldProxy } from "../support/tcp-hold-proxy";
import { waitUntil } from "../support/wait";
import { acquireLeadership } from "../../src/leadership/lease";
import { leadAndStream } from "../../src/leadership/lead-loop";
import { createOutageTracker } from "../../src/observability/outage";
import { closedPort } from "../support/closed-port";
import type { MirrorHandle } from "../../src/pipeline/mirror";
import { gateSink } from "../../src/leadership/gate-sink";
import { createNullSink } from "../../src/sink/null-sink";
import { silentLogger } from "../../src/log";

describe("leadership lease", () => {
  let db: TestDatabase;
  let proxy: HoldProxy;
  beforeAll(async () => {
    db = await createTestDatabase("lease");
    const u = new URL(db.url);
    proxy = await startHoldProxy(u.hostname, Number(u.port));
  });
  afterAll(async () => {
    await proxy?.close();
    await db?.drop();
  });

  it("one holder at a time; the standby takes over once the holder's session ends, and the old holder's writes are gated", async () => {
    const opts = { connectionString: db.url, slot: "lease_a", logger: silentLogger, leaseMs: 4000 };
    const a = await acquireLeadership(opts);
    let standingBy = false;
    const next = acquireLeadership({ ...opts, onStandby: () => (standingBy = true) });
    await waitUntil("the second process standing by", () => standingBy);
    const gated = gateSink(createNullSink(), a);
    await gated.beginBackfill(1n, []);

    await db.client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pg2convex leader lease_a'");
    expect((await a.lost).code).toBe("LEADERSHIP_LOST");
    expect(a.held()).toBe(false);
    await expect(gated.beginBackfill(2n, [])).rejects.toMatchObject({ code: "LEADERSHIP_LOST" });
    const b = await next;
    expect(b.held()).toBe(true);
    await b.release();
  });

  it("a holder cut off from the server gives up before the server's lease hands the lock on", async () => {
    const leaseMs = 6000;
    const a = await acquireLeadership({ connectionString: proxy.urlFor(db.url), slot: "lease_b", logger: silentLogger, leaseMs });
    let lostAt: number | undefined;
    void a.lost.then(() => (lostAt = Date.now()));
    proxy.holdOnClientClose(true);
    proxy.freeze();
    const b = await acquireLeadership({ connectionString: db.url, slot: "lease_b", logger: silentLogger, leaseMs });
    const acquiredAt = Date.now();
    expect(lostAt).toBeDefined();
    expect(lostAt!).toBeLessThanOrEqual(acquiredAt);
    expect(a.held()).toBe(false);
    await b.release();
  });

  it("a lock session that cannot connect is a PostgreSQL outage: logged once, bounded by --max-outage", async () => {
    const messages: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (messages.push((JSON.parse(chunk.toString()) as { msg: string }).msg), cb()) });
    const outages = createOutageTracker({ logger: pino({ level: "info" }, sink) });
    const url = new URL(db.url);
    url.port = String(await closedPort());
    url.hostname = "127.0.0.1";
    const started = Date.now();
    const err = await acquireLeadership({ connectionString: url.toString(), slot: "lease_c", logger: silentLogger, leaseMs: 4000, pollMs: 100, outages, maxOutageMs: 1000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PG_CONNECT", retryable: true });
    expect((err as Error).message).toMatch(/longer than --max-outage/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(messages.filter((m) => /PostgreSQL is down/.test(m))).toHaveLength(1);
    expect(outages.downForMs("postgres")).toBeGreaterThan(0);
  });

  it("deposed because the lock's connection ended: the lead loop records a PostgreSQL outage, still open when the next leadership starts (its stream ends it)", async () => {
    const outages = createOutageTracker({ logger: silentLogger });
    let starts = 0;
    let release!: () => void;
    const stopped = new Promise<void>((r) => (release = r));
    const downAtSecondStart: number[] = [];
    const loop = leadAndStream<MirrorHandle>({
      connectionString: db.url,
      slot: "lease_d",
      leaseMs: 4000,
      pollMs: 100,
      logger: silentLogger,
      outages,
      stopping: () => false,
      onMirror: () => undefined,
      onRole: () => undefined,
      start: async (leadership) => {
        starts++;
        if (starts === 2) downAtSecondStart.push(outages.downForMs("postgres"));
        // The first leadership "streams" until its lock is lost; the second until the test stops it.
        const done = starts === 1 ? leadership.lost.then((e) => Promise.reject(e)) : stopped;
        return { done, stop: async () => release(), position: () => null } as unknown as MirrorHandle;
      },
    });
    await waitUntil("first leadership", () => starts === 1);
    await db.client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pg2convex leader lease_d'");
    await waitUntil("second leadership", () => starts === 2, 30_000);
    expect(downAtSecondStart[0]).toBeGreaterThan(0);
    release();
    await loop;
  });
});
