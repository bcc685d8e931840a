// The instrumented sink (pipeline/instrumented-sink.ts): the one apply path of backfill and stream. Pure: a
// null sink underneath, no PostgreSQL or Convex.
import { describe, expect, it } from "vitest";
import { instrumentSink } from "../../src/pipeline/instrumented-sink";
import { createNullSink } from "../../src/sink";
import { createCheckpointTracker } from "../../src/checkpoint";
import { createMetrics, type Metrics } from "../../src/observability/metrics";
import { silentLogger } from "../../src/log";
import type { Batch } from "../../src/plan";
import type { Sink } from "../../src/sink";

const batch = (id: string, endLsn?: bigint): Batch => ({
  id,
  ops: [{ o: "delete", t: "language", k: [1], ver: 1n }] as Batch["ops"],
  txCount: 1,
  rowCount: 1,
  ...(endLsn === undefined ? {} : { checkpoint: { commitLsn: endLsn - 8n, endLsn } }),
});
const count = async (m: Metrics, kind: string) => (await m.batches.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;

/** A null sink whose every apply() waits until release() lets it through. */
function heldSink(): { sink: Sink; release: () => void } {
  const inner = createNullSink();
  const waiting: Array<() => void> = [];
  const sink: Sink = { ...inner, apply: async (b, mark) => (await new Promise<void>((r) => waiting.push(r)), inner.apply(b, mark)) };
  return { sink, release: () => waiting.shift()!() };
}

describe("instrumented sink", () => {
  it("moves the checkpoint and reports onApplied only for stream batches, and only once the inner apply resolved", async () => {
    const metrics = createMetrics();
    const confirmed: bigint[] = [];
    const applied: string[] = [];
    const { sink, release } = heldSink();
    const instrumented = instrumentSink(sink, { logger: silentLogger, metrics });

    // Backfill: no tracker exists yet, so even a batch carrying a checkpoint moves nothing.
    const mark = { snapshotLsn: 0x10n, progress: { table: "language", after: null, done: true, rows: 1 } };
    const page = instrumented.apply(batch("page", 0x100n), mark);
    release();
    await page;
    expect(await count(metrics, "backfill")).toBe(1);

    const checkpoint = createCheckpointTracker(null, (lsn) => confirmed.push(lsn));
    instrumented.trackStream({ checkpoint, onApplied: (b) => applied.push(b.id) });
    const pending = instrumented.apply(batch("tx", 0x200n));
    await new Promise((r) => setImmediate(r));
    expect({ confirmed, applied, stream: await count(metrics, "stream") }).toEqual({ confirmed: [], applied: [], stream: 0 });
    release();
    await pending;
    expect({ confirmed, applied, stream: await count(metrics, "stream") }).toEqual({ confirmed: [0x200n], applied: ["tx"], stream: 1 });
    expect(checkpoint.position()).toEqual({ commitLsn: 0x1f8n, endLsn: 0x200n });
    expect((await metrics.checkpointLsn.get()).values[0]?.value).toBe(0x200);
  });

  it("offers settleRejects exactly when the inner sink does (the reject tracker skips settling otherwise)", () => {
    const plain = createNullSink();
    expect(instrumentSink(plain, { logger: silentLogger }).settleRejects).toBeUndefined();
    const calls: unknown[] = [];
    const settling: Sink = { ...plain, settleRejects: async (args) => (calls.push(args), { resolved: [], open: [], isDone: true, continueCursor: "" }) };
    const wrapped = instrumentSink(settling, { logger: silentLogger });
    expect(wrapped.settleRejects).toBeTypeOf("function");
    void wrapped.settleRejects!({ ids: ["r1"] });
    expect(calls).toEqual([{ ids: ["r1"] }]);
  });
});
