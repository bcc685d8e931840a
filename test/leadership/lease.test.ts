// The slot's leadership lock on real PostgreSQL: one holder at a time, a standby takes over once the holder's
// session ends, and a holder cut off from the server (nothing closed, nothing answered) declares the lock lost
// before the server's lease hands it to the standby. A lost leadership gates every write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { startHoldProxy, type HoldProxy } from "../support/tcp-hold-proxy";
import { waitUntil } from "../support/wait";
import { acquireLeadership } from "../../src/leadership/lease";
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
});
