// The bridge's count of open rejects (pipeline/rejects.ts): per table as pg2convex_dead_letters{table},
// recounted from Convex so entries resolved by another process (`dlq replay|resolve`) leave the count, and
// named per table by /healthz. Pure: a sink whose settleRejects answers from an in-memory list.
import { describe, expect, it } from "vitest";
import { createRejectTracker } from "../../src/pipeline/rejects";
import { createMetrics } from "../../src/observability/metrics";
import { healthBody } from "../../src/observability/health";
import { buildGraph } from "../../src/definitions/graph";
import { createNullSink, type Sink } from "../../src/sink";
import { silentLogger } from "../../src/log";
import { referenceTables } from "../../tables/reference";
import type { RejectNotice } from "../../src/mirror-functions/wire/protocol";
import { waitUntil } from "../support/wait";

const notice = (id: string, table: string, k: number): RejectNotice => ({ id, table, key: [k], ver: 10n, code: "DOCUMENT_TOO_LARGE", reason: "r", at: 0 });

function convexWith(open: RejectNotice[]): Sink {
  return { ...createNullSink(), settleRejects: async () => ({ resolved: [], open: [...open], continueCursor: "", isDone: true }) };
}

const perTable = async (m: ReturnType<typeof createMetrics>) => Object.fromEntries((await m.deadLetters.get()).values.map((v) => [v.labels.table, v.value]));

describe("reject tracker counts", () => {
  it("publishes dead letters per table (every mirrored table, 0 when none) and recounts what others resolved", async () => {
    const open = [notice("a", "story", 1), notice("b", "story", 2), notice("c", "course", 3)];
    const metrics = createMetrics();
    const tracker = createRejectTracker({ sink: convexWith(open), graph: buildGraph(referenceTables), logger: silentLogger, metrics });
    await tracker.settleAll();
    expect(await perTable(metrics)).toMatchObject({ story: 2, course: 1, language: 0 });
    expect(Object.keys(await perTable(metrics)).length).toBe(referenceTables.length);

    // `dlq replay` resolves two entries in Convex; the running bridge's recount notices.
    open.splice(0, 2);
    const stop = tracker.startRecount(20);
    try {
      await waitUntil("the recount", async () => ((await perTable(metrics)).story === 0 ? true : undefined), 10_000);
    } finally {
      stop();
    }
    expect(tracker.open).toBe(1);
    expect((await metrics.rejectsUnresolved.get()).values[0]!.value).toBe(1);
  });

  it("a recount cut short by a Convex failure leaves the last count standing", async () => {
    const metrics = createMetrics();
    let fail = false;
    const sink: Sink = { ...createNullSink(), settleRejects: async () => (fail ? Promise.reject(new Error("down")) : { resolved: [], open: [notice("a", "story", 1)], continueCursor: "", isDone: true }) };
    const tracker = createRejectTracker({ sink, graph: buildGraph(referenceTables), logger: silentLogger, metrics });
    await tracker.settleAll();
    fail = true;
    await expect(tracker.settleAll()).rejects.toThrow("down");
    expect(tracker.open).toBe(1);
    expect((await perTable(metrics)).story).toBe(1);
  });

  it("/healthz names the tables holding dead letters", () => {
    const body = healthBody({ phase: "streaming" }, 3, [], [], ["story 2", "course 1"]);
    expect(body.status).toBe("degraded");
    expect(body.degraded?.[0]).toMatch(/^3 unresolved rejects in pg2c_reject \(dead letters: story 2, course 1\)/);
  });
});
