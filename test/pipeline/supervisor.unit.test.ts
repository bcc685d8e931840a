// The supervisor's one decision, from the error's own `retryable`: a transient PostgreSQL failure starts the
// mirror again (bound to the mirror id proved first), a permanent error or a Convex error that outlived its
// retries ends it, and --max-outage bounds a PostgreSQL outage.
import { describe, expect, it } from "vitest";
import { superviseMirror } from "../../src/pipeline/supervisor";
import type { MirrorDeps, MirrorHandle } from "../../src/pipeline/mirror";
import { createOutageTracker } from "../../src/observability/outage";
import { Pg2ConvexError } from "../../src/errors";
import { silentLogger } from "../../src/log";
import { configSchema } from "../../src/config/schema";
import { referenceTables } from "../../tables/reference";
import type { Leadership } from "../../src/leadership/lease";

const config = configSchema.parse({ databaseUrl: "postgres://x@127.0.0.1:1/db", convexUrl: "http://127.0.0.1:1", convexAdminKey: "key-12345678" });
const lost = () => new Pg2ConvexError("PG_CONNECTION_LOST", "the PostgreSQL connection was lost", { retryable: true });
const handle = (done: Promise<void>): MirrorHandle => ({ done, stop: async () => undefined, position: () => null });

function supervise(outcomes: Array<() => Promise<void>>, extra: { maxOutageMs?: number } = {}) {
  const starts: Array<string | undefined> = [];
  const m = superviseMirror({
    config,
    tables: referenceTables,
    logger: silentLogger,
    outages: createOutageTracker({ logger: silentLogger }),
    ...extra,
    start: async (deps: MirrorDeps) => {
      starts.push(deps.expectedMirrorId);
      deps.onIdentity?.("mirror-1");
      const next = outcomes.shift();
      if (!next) return handle(Promise.resolve());
      return handle(next());
    },
  });
  return { m, starts };
}

describe("supervisor", () => {
  it("starts again after transient PostgreSQL failures, proving continuity against the first mirror id", async () => {
    const { m, starts } = supervise([() => Promise.reject(lost()), () => Promise.reject(lost())]);
    await m.done;
    expect(starts).toEqual([undefined, "mirror-1", "mirror-1"]);
  });

  it("ends on a permanent error", async () => {
    const refusal = new Pg2ConvexError("MIRROR_STATE_LOST", "gone");
    const { m, starts } = supervise([() => Promise.reject(lost()), () => Promise.reject(refusal)]);
    await expect(m.done).rejects.toBe(refusal);
    expect(starts).toHaveLength(2);
  });

  it("ends on a Convex error that outlived its retries", async () => {
    const gaveUp = new Pg2ConvexError("CONVEX_UNREACHABLE", "cannot reach Convex (gave up after failing for 60 s, longer than --max-outage)", { retryable: true });
    const { m, starts } = supervise([() => Promise.reject(gaveUp)]);
    await expect(m.done).rejects.toBe(gaveUp);
    expect(starts).toHaveLength(1);
  });

  it("gives up on PostgreSQL after --max-outage", async () => {
    const { m } = supervise(
      Array.from({ length: 50 }, () => () => Promise.reject(lost())),
      { maxOutageMs: 1_200 },
    );
    await expect(m.done).rejects.toThrow(/longer than --max-outage/);
  });

  it("stop() during a wait between attempts ends it at once", async () => {
    const { m } = supervise(Array.from({ length: 50 }, () => () => Promise.reject(lost())));
    await new Promise((r) => setTimeout(r, 50));
    await m.stop();
    await expect(m.done).resolves.toBeUndefined();
  });

  it("a leader deposed during a wait between attempts ends the wait and rejects with LEADERSHIP_LOST (the lead loop stands by)", async () => {
    const deposed = new Pg2ConvexError("LEADERSHIP_LOST", "lost the lock", { retryable: true });
    const ctl = new AbortController();
    let lose!: (e: Pg2ConvexError) => void;
    const leadership: Leadership = {
      holder: "test",
      held: () => !ctl.signal.aborted,
      assertHeld: () => {
        if (ctl.signal.aborted) throw deposed;
      },
      lost: new Promise<Pg2ConvexError>((r) => (lose = r)),
      signal: ctl.signal,
      release: async () => undefined,
    };
    let starts = 0;
    const m = superviseMirror({
      config,
      tables: referenceTables,
      logger: silentLogger,
      outages: createOutageTracker({ logger: silentLogger }),
      leadership,
      start: async () => (starts++, handle(Promise.reject(lost()))),
    });
    await new Promise((r) => setTimeout(r, 100)); // the first backoff is at least 250 ms
    const at = Date.now();
    ctl.abort(deposed);
    lose(deposed);
    await expect(m.done).rejects.toBe(deposed);
    expect(Date.now() - at).toBeLessThan(200);
    expect(starts).toBe(1);
    expect(m.streaming()).toBe(false);
  });

  it("a failure after the leadership was lost is reported as the loss, not retried", async () => {
    const deposed = new Pg2ConvexError("LEADERSHIP_LOST", "lost the lock", { retryable: true });
    const leadership: Leadership = {
      holder: "test",
      held: () => false,
      assertHeld: () => {
        throw deposed;
      },
      lost: Promise.resolve(deposed),
      signal: AbortSignal.abort(deposed),
      release: async () => undefined,
    };
    let starts = 0;
    const m = superviseMirror({ config, tables: referenceTables, logger: silentLogger, outages: createOutageTracker({ logger: silentLogger }), leadership, start: async () => (starts++, handle(Promise.reject(lost()))) });
    await expect(m.done).rejects.toBe(deposed);
    expect(starts).toBe(1);
  });
});
