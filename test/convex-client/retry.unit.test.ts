// The retry policy: capped exponential backoff with jitter; only retryable errors are retried; the sidecar's
// budget (retries: Infinity) ends only with --max-outage; an observer sees every failure and the recovery.
import { describe, expect, it } from "vitest";
import { backoffMs, withRetries } from "../../src/convex-client/retry";
import { Pg2ConvexError } from "../../src/errors";
import { silentLogger } from "../../src/log";

const transient = () => new Pg2ConvexError("CONVEX_TRANSIENT", "Convex call failed: HTTP 503", { retryable: true });
const fast = { minRetryMs: 1, maxRetryMs: 4 };

describe("retry policy", () => {
  it("backs off exponentially, capped, with jitter between half and all of the step", () => {
    expect([1, 2, 3, 4, 10, 60].map((n) => backoffMs(n, 200, 30_000, () => 1))).toEqual([200, 400, 800, 1600, 30_000, 30_000]);
    expect(backoffMs(3, 200, 30_000, () => 0)).toBe(400);
  });

  it("retries a retryable failure for as long as it lasts, telling the observer", async () => {
    let calls = 0;
    const seen: string[] = [];
    const result = await withRetries(
      async () => {
        if (++calls < 30) throw transient();
        return "ok";
      },
      { retries: Number.POSITIVE_INFINITY, ...fast, observer: { failed: (_e, n) => seen.push(`f${n}`), succeeded: () => seen.push("up") } },
      silentLogger,
      {},
    );
    expect(result).toBe("ok");
    expect(seen).toHaveLength(30);
    expect(seen.at(-1)).toBe("up");
  });

  it("never retries a permanent failure", async () => {
    let calls = 0;
    const permanent = new Pg2ConvexError("CONVEX_AUTH", "rejected");
    await expect(withRetries(async () => (calls++, Promise.reject(permanent)), { retries: Number.POSITIVE_INFINITY, ...fast }, silentLogger, {})).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  it("gives up once the outage is longer than maxOutageMs, saying so", async () => {
    const err = await withRetries(() => Promise.reject(transient()), { retries: Number.POSITIVE_INFINITY, ...fast, maxOutageMs: 50 }, silentLogger, {}).catch((e: unknown) => e as Pg2ConvexError);
    expect(err.code).toBe("CONVEX_TRANSIENT");
    expect(err.message).toMatch(/\(gave up after failing for \d+ s, longer than --max-outage\)$/);
  });

  it("an aborted signal ends the call at once with its reason: during the wait between attempts, and before any attempt", async () => {
    const deposed = new Pg2ConvexError("LEADERSHIP_LOST", "deposed", { retryable: true });
    const ctl = new AbortController();
    let calls = 0;
    const asked = Date.now();
    setTimeout(() => ctl.abort(deposed), 50);
    const withSignal = withRetries(() => (calls++, Promise.reject(transient())), { retries: Number.POSITIVE_INFINITY, minRetryMs: 60_000, maxRetryMs: 60_000, signal: ctl.signal }, silentLogger, {});
    await expect(withSignal).rejects.toBe(deposed);
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(calls).toBe(1); // the abort came during the wait after the first attempt: no second one

    let after = 0;
    await expect(withRetries(async () => (after++, "sent"), { signal: ctl.signal }, silentLogger, {})).rejects.toBe(deposed);
    expect(after).toBe(0);
  });

  it("a reason that is not a Pg2ConvexError (a stop that ran out of time) ends it with the last failure, marked as given up", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const err = await withRetries(() => Promise.reject(transient()), { retries: Number.POSITIVE_INFINITY, minRetryMs: 60_000, maxRetryMs: 60_000, signal: ctl.signal }, silentLogger, {}).catch((e: unknown) => e as Pg2ConvexError);
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect(err.code).toBe("CONVEX_TRANSIENT");
    expect(err.message).toMatch(/\(gave up after stopping\)$/);
  });
});
