import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createBatcher } from "../../src/plan/batcher";
import { buildGraph } from "../../src/definitions/graph";
import { referenceTables } from "../../tables/reference";
import { planOpCosts } from "../../src/mirror-functions/apply/plan-cost";
import type { SourceTransaction } from "../../src/model/changes";
import type { Batch } from "../../src/plan";

const graph = buildGraph(referenceTables);
const storyRow = (id: number) => ({ ...Object.fromEntries(graph.byName("story")!.columns.map((c) => [c.name, null])), id, set_id: 1, set_index: 1, todo_count: 0 });
const tx = (lsn: number, rows: number, start = 0): SourceTransaction => ({
  xid: lsn,
  commitLsn: BigInt(lsn),
  endLsn: BigInt(lsn) + 1n,
  commitTime: new Date(lsn),
  changes: Array.from({ length: rows }, (_, i) => ({ kind: "insert" as const, table: "story", key: [start + i], row: storyRow(start + i), lsn: BigInt(lsn) })),
});

// The planner's estimate of a batch as the apply runs it (its ops read by ranges together).
const cost = (b: Batch) => planOpCosts(graph, b.ops).reduce((a, c) => ({ queries: a.queries + c.queries, writes: a.writes + c.writes }), { queries: 0, writes: 0 });
const queries = (b: Batch) => cost(b).queries;
const writes = (b: Batch) => cost(b).writes;

describe("batcher", () => {
  it("groups whole transactions and closes a batch before it would exceed the budget", () => {
    // Keys far apart: each transaction's rows are their own ranges, so its queries add up.
    const b = createBatcher(graph, { maxQueries: 10, maxWrites: 40 });
    const out = [...b.add(tx(10, 5)), ...b.add(tx(20, 5, 1000)), ...b.add(tx(30, 5, 2000))];
    const rest = b.flush();
    const all = [...out, ...rest];
    for (const batch of all) expect(queries(batch)).toBeLessThanOrEqual(10);
    for (const batch of all) expect(writes(batch)).toBeLessThanOrEqual(40);
    expect(all.map((x) => x.checkpoint?.commitLsn)).toEqual(all.map((x) => x.checkpoint!.commitLsn).sort((p, q) => Number(p - q)));
    expect(all.reduce((a, x) => a + x.txCount, 0)).toBe(3);
    expect(all.length).toBeGreaterThan(1);
  });

  it("splits only a transaction that alone exceeds the limits, and only its last part moves the checkpoint", () => {
    const b = createBatcher(graph, { maxWrites: 70 });
    const parts = [...b.add(tx(50, 40)), ...b.flush()];
    for (const p of parts) expect(writes(p)).toBeLessThanOrEqual(70);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.slice(0, -1).every((p) => p.checkpoint === undefined)).toBe(true);
    expect(parts.at(-1)!.checkpoint).toEqual({ commitLsn: 50n, endLsn: 51n });
    expect(parts.map((p) => p.part!.index)).toEqual(parts.map((_, i) => i));
    expect(parts.flatMap((p) => p.ops.map((o) => (o as { k: number[] }).k[0]))).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("keeps every batch within budget and every transaction in order, for any sizes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 15 }), fc.integer({ min: 4, max: 40 }), fc.integer({ min: 20, max: 200 }), (sizes, budget, writeBudget) => {
        const b = createBatcher(graph, { maxQueries: budget, maxWrites: writeBudget });
        const batches: Batch[] = [];
        let key = 0;
        sizes.forEach((n, i) => {
          batches.push(...b.add(tx(100 + i * 10, n, key)));
          key += n;
        });
        batches.push(...b.flush());
        for (const batch of batches) if (batch.ops.length > 1) expect(queries(batch)).toBeLessThanOrEqual(budget + 1e-9);
        for (const batch of batches) if (batch.ops.length > 1) expect(writes(batch)).toBeLessThanOrEqual(writeBudget);
        const keys = batches.flatMap((x) => x.ops.map((o) => (o as { k: number[] }).k[0]));
        expect(keys).toEqual(Array.from({ length: key }, (_, i) => i));
        const checkpoints = batches.flatMap((x) => (x.checkpoint ? [x.checkpoint.commitLsn] : []));
        expect(checkpoints.at(-1)).toBe(BigInt(100 + (sizes.length - 1) * 10));
        expect([...checkpoints].sort((p, q) => Number(p - q))).toEqual(checkpoints);
      }),
      { numRuns: 200 },
    );
  });

  it("replaces a row too large for a Convex document with a reject naming the reason", () => {
    const b = createBatcher(graph);
    const big = tx(70, 1);
    (big.changes[0] as { row: Record<string, unknown> }).row.text = "x".repeat(1_100_000);
    const [batch] = [...b.add(big), ...b.flush()];
    expect(batch!.ops[0]).toMatchObject({ o: "reject", t: "story", k: [0], ver: 70n, code: "DOCUMENT_TOO_LARGE" });
  });
});
