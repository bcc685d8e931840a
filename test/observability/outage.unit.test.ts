// The outage tracker: one log line per state change (down, still down at most every N, recovered after X s),
// never per attempt; /healthz reasons while down; the outage and attempt metrics.
import { describe, expect, it } from "vitest";
import pino from "pino";
import { Writable } from "node:stream";
import { Registry } from "prom-client";
import { createOutageTracker } from "../../src/observability/outage";
import { createHealthReasons, healthBody } from "../../src/observability/health";
import { Pg2ConvexError } from "../../src/errors";

function capture() {
  const lines: Array<{ msg: string; level: number }> = [];
  const stream = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString())), cb()) });
  return { logger: pino({ level: "debug" }, stream), lines };
}
const refused = new Pg2ConvexError("PG_CONNECT", "cannot connect to PostgreSQL at 127.0.0.1:5432: connect ECONNREFUSED", { retryable: true });
const value = async (registry: Registry, name: string, dep: string) => (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.dependency === dep)?.value;

describe("outage tracker", () => {
  it("logs down once, still down at most every interval, recovered once, and keeps the health reason meanwhile", async () => {
    let now = 1_000_000;
    const { logger, lines } = capture();
    const registry = new Registry();
    const reasons = createHealthReasons();
    const t = createOutageTracker({ logger, registry, reasons, stillDownEveryMs: 60_000, now: () => now });
    for (let i = 0; i < 10; i++) {
      t.failed("postgres", refused);
      now += 10_000;
    }
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg)).toEqual(["PostgreSQL is down; retrying with backoff until it is back", "PostgreSQL is still down"]);
    expect(reasons.list()).toEqual([expect.stringMatching(/^PostgreSQL unreachable since 1970-01-01T00:16:40\.000Z \(10 failed attempts\): \[PG_CONNECT\] .*ECONNREFUSED/)]);
    expect(healthBody({ phase: "reconnecting" }, 0, reasons.list())).toMatchObject({ status: "degraded", degraded: reasons.list() });
    expect(t.downForMs("postgres")).toBe(100_000);
    expect(await value(registry, "pg2convex_outage_current_seconds", "postgres")).toBe(100);
    expect(await value(registry, "pg2convex_retry_attempts_total", "postgres")).toBe(10);
    expect(await value(registry, "pg2convex_outage_current_seconds", "convex")).toBe(0);

    t.recovered("postgres");
    t.recovered("postgres");
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg).slice(2)).toEqual(["PostgreSQL recovered after 100 s"]);
    expect(reasons.list()).toEqual([]);
    expect(healthBody({ phase: "streaming" }, 0, reasons.list()).status).toBe("ok");
    expect(await value(registry, "pg2convex_outage_seconds_total", "postgres")).toBe(100);
    expect(await value(registry, "pg2convex_outage_current_seconds", "postgres")).toBe(0);
  });
});
