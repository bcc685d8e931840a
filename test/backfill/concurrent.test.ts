// Backfill with several mutations in flight, against real PostgreSQL and the local Convex stand-in: the rows
// match, the backfill did overlap its applies, and a failure mid-way resumes and converges without duplicates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { createConvexSink, type Sink } from "../../src/sink";
import { Pg2ConvexError } from "../../src/errors";
import { silentLogger } from "../../src/log";
import { startMirror } from "../../src/pipeline/mirror";
import { referenceTables } from "../../tables/reference";

/** The real Convex sink, counting applies in flight; `failAt`: that apply call fails (permanent). */
function countingSink(env: MirrorEnv, failAt: number | null) {
  const inner = createConvexSink({ url: env.convex.url, adminKey: env.convex.adminKey, slot: env.config.slot, module: env.config.convexModule, logger: silentLogger, retries: 0 });
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0, marks: 0 };
  const sink: Sink = {
    ...inner,
    async apply(batch, backfill, resync) {
      const call = stats.calls++;
      if (backfill) stats.marks++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        if (call === failAt) throw new Pg2ConvexError("CONVEX_PERMANENT", "injected apply failure");
        return await inner.apply(batch, backfill, resync);
      } finally {
        stats.inFlight--;
      }
    },
  };
  return { sink, stats };
}

describe("concurrent backfill", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 12, courses: 10, stories: 3000, users: 40 } });
  });
  afterAll(async () => env?.close());

  it("overlaps applies, fails with context mid-way, then resumes and converges without duplicates", async () => {
    const config = { ...env.config, backfillConcurrency: 4 };
    const failing = countingSink(env, 20);
    const error = await startMirror({ config, tables: referenceTables, logger: silentLogger, sink: failing.sink }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Pg2ConvexError);
    expect((error as Pg2ConvexError).code).toBe("CONVEX_PERMANENT");
    expect(typeof (error as Pg2ConvexError).context.table).toBe("string");
    expect(failing.stats.maxInFlight).toBeGreaterThan(1);
    expect(failing.stats.maxInFlight).toBeLessThanOrEqual(4);
    const mid = await env.reader.state(env.config.slot);
    expect(mid.phase).toBe("backfill");
    expect(mid.backfill.some((p) => !p.done)).toBe(true);

    const resumed = countingSink(env, null);
    const handle = await startMirror({ config, tables: referenceTables, logger: silentLogger, sink: resumed.sink });
    try {
      await env.waitConverged(120_000);
      expect((await env.reader.state(env.config.slot)).phase).toBe("stream");
      expect(resumed.stats.maxInFlight).toBeGreaterThan(1);
      const { rows, invariants } = await env.diffs();
      expect(rows).toEqual([]);
      expect(invariants).toEqual([]);
    } finally {
      await handle.stop();
    }
  });
});
