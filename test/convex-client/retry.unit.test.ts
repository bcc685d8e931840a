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
});
