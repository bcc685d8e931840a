// Moved rows keep the columns wal2json omitted (carry.ts): planner (planOps) and applyBatch together, with
// batches cut short, transactions split in parts, replays, and a random model of PostgreSQL.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "convex/values";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { estimateBatchCost } from "../../src/mirror-functions/apply/cost";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { DEFAULT_BUDGET } from "../../src/mirror-functions/apply/usage";
import type { RowChange, SourceTransaction } from "../../src/model/changes";
import { planOps } from "../../src/plan/collapse";
import { referenceTables } from "../../tables/reference";
import { allDocs, apply, course, newMirror, row, story, type Mirror } from "./harness";

const config = mirrorConfig(referenceTables);
const graph = config.graph;
type Row = Record<string, Value | undefined>;

const fullRow = (id: number, d: Row = {}): Row => ({ ...(story(id, 0n) as { d: Row }).d, ...d, id });
const tx = (lsn: bigint, changes: RowChange[]): SourceTransaction => ({ xid: Number(lsn), commitLsn: lsn, endLsn: lsn + 1n, commitTime: new Date(0), changes });
/** An UPDATE as wal2json sends it when `text` (TOASTed) did not change: the column is left out. */
const move = (from: number, to: number, lsn: bigint, d: Row = {}): RowChange => ({ kind: "update", table: "story", key: [to], oldKey: [from], row: fullRow(to, { text: undefined, ...d }), lsn });
const update = (id: number, lsn: bigint, d: Row = {}): RowChange => ({ kind: "update", table: "story", key: [id], row: fullRow(id, { text: undefined, ...d }), lsn });
const insert = (id: number, lsn: bigint, d: Row = {}): RowChange => ({ kind: "insert", table: "story", key: [id], row: fullRow(id, d), lsn });

async function stories(t: Mirror) {
  return Object.fromEntries((await allDocs(t, "story")).map((s) => [s.id, { name: s.name, text: s.text }]));
}

describe("a moved row keeps the columns wal2json omitted", () => {
  it("when its insert was applied by an earlier batch; the course's derived fields follow; a replay is a no-op", async () => {
    const t = newMirror();
    await apply(t, [course(6, 1n)]);
    await apply(t, planOps(graph, [tx(10n, [insert(1, 10n, { text: "long text", course_id: 6, todo_count: 2 })])]));
    const ops = planOps(graph, [tx(20n, [move(1, 2, 20n, { name: "moved", course_id: 6, todo_count: 2 })]), tx(21n, [update(2, 21n, { name: "plain", course_id: 6, todo_count: 2 })])]);
    expect((await apply(t, ops)).applied).toBe(2);
    expect(await stories(t)).toEqual({ 2: { name: "plain", text: "long text" } });
    expect(await row(t, "course", 6)).toMatchObject({ count: 1, todo_count: 2 });
    const before = await allDocs(t, "story");
    expect(await apply(t, ops)).toMatchObject({ applied: 0, rejected: 0 });
    expect(await allDocs(t, "story")).toEqual(before);
    expect(await allDocs(t, "pg2c_carry")).toEqual([]);
    expect(await allDocs(t, "pg2c_reject")).toEqual([]);
  });

  it("when the transaction is split: the old key's part stores the carry, the new key's part takes it", async () => {
    const t = newMirror();
    await apply(t, planOps(graph, [tx(10n, [insert(1, 10n, { text: "long text" })])]));
    const [del, up] = planOps(graph, [tx(20n, [move(1, 2, 20n, { name: "moved" })])]);
    await apply(t, [del!]);
    expect((await allDocs(t, "pg2c_carry")).map((c) => [c.key, c.from, c.fields.text])).toEqual([["[2]", "[1]", "long text"]]);
    // A crash between the parts replays the whole transaction: the first part again is a no-op.
    await apply(t, [del!]);
    await apply(t, [up!]);
    expect(await stories(t)).toEqual({ 2: { name: "moved", text: "long text" } });
    expect(await allDocs(t, "pg2c_carry")).toEqual([]);
    await apply(t, [del!]);
    await apply(t, [up!]);
    expect(await stories(t)).toEqual({ 2: { name: "moved", text: "long text" } });
  });

  it("when the batch is cut short between the old key's op and the new key's upsert", async () => {
    const t = newMirror();
    const rows = [1, 2, 3, 4].map((id) => insert(id, 10n, { text: `text ${id}` }));
    await apply(t, planOps(graph, [tx(10n, rows)]));
    const ops = planOps(graph, [tx(20n, [move(1, 11, 20n), move(2, 12, 20n), move(3, 13, 20n), move(4, 14, 20n)])]);
    const small = { ...DEFAULT_BUDGET, documentsWritten: 10, headroom: 1 };
    const run = () => t.mutation(async (ctx) => applyBatchHandler(config, ctx as any, { slot: "s1", batchId: "cut", ops }, small));
    let calls = 0;
    for (let r = { complete: false }; !r.complete; calls++) r = await run();
    expect(calls).toBeGreaterThan(1);
    expect(await stories(t)).toEqual(Object.fromEntries([1, 2, 3, 4].map((id) => [id + 10, { name: `story ${id + 10}`, text: `text ${id}` }])));
    expect(await allDocs(t, "pg2c_carry")).toEqual([]);
  });

  it("through a swap of two keys", async () => {
    const t = newMirror();
    await apply(t, planOps(graph, [tx(10n, [insert(1, 10n, { text: "one" }), insert(2, 10n, { text: "two" })])]));
    await apply(t, planOps(graph, [tx(20n, [move(1, 9, 20n, { name: "was 1" }), move(2, 1, 20n, { name: "was 2" }), move(9, 2, 20n, { name: "was 1" })])]));
    expect(await stories(t)).toEqual({ 1: { name: "was 2", text: "two" }, 2: { name: "was 1", text: "one" } });
  });

  it("is a reject only when neither the old nor the new key is in Convex, reported by the batch", async () => {
    const t = newMirror();
    const r = await apply(t, planOps(graph, [tx(20n, [move(1, 2, 20n)])]));
    expect(r).toMatchObject({ rejected: 1 });
    expect(r.rejects?.map((x) => [x.table, x.key, x.ver, x.code])).toEqual([["story", [2], 20n, "PARTIAL_WITHOUT_ROW"]]);
    expect(r.rejects?.[0]?.reason).toMatch(/primary key changed from 1:/);
    // The doc at the new key is the fallback (a resumed backfill may already hold the row there).
    const t2 = newMirror();
    await apply(t2, [story(2, 5n, { text: "from backfill" })]);
    await apply(t2, planOps(graph, [tx(20n, [move(1, 2, 20n, { name: "moved" })])]));
    expect(await stories(t2)).toEqual({ 2: { name: "moved", text: "from backfill" } });
  });
});

// ---- A random model: PostgreSQL as a map of id → row, changes as wal2json sends them ----

type Action = { a: "insert" | "update" | "move" | "delete"; pick: number; to: number; name: string; text: string | null };
const actionArb = fc.record({
  a: fc.constantFrom("insert" as const, "update" as const, "move" as const, "move" as const, "delete" as const),
  pick: fc.nat(),
  to: fc.integer({ min: 1, max: 6 }),
  name: fc.constantFrom("a", "b", "c"),
  // null: the update leaves text unchanged, so wal2json omits it.
  text: fc.option(fc.constantFrom("t1", "t2", "t3"), { nil: null }),
});

/** Applies `actions` to `pg` (only those PostgreSQL would accept) and returns the changes wal2json would send. */
function changesOf(pg: Map<number, { name: string; text: string }>, actions: Action[], lsn: bigint): RowChange[] {
  const out: RowChange[] = [];
  const ids = () => [...pg.keys()].sort((a, b) => a - b);
  for (const x of actions) {
    const id = ids()[x.pick % Math.max(1, pg.size)];
    if (x.a === "insert") {
      if (pg.has(x.to)) continue;
      pg.set(x.to, { name: x.name, text: x.text ?? "t0" });
      out.push(insert(x.to, lsn, { name: x.name, text: x.text ?? "t0" }));
    } else if (id === undefined) continue;
    else if (x.a === "delete") {
      pg.delete(id);
      out.push({ kind: "delete", table: "story", key: [id], lsn });
    } else {
      const to = x.a === "move" ? x.to : id;
      if (to !== id && pg.has(to)) continue;
      const prev = pg.get(id)!;
      pg.delete(id);
      pg.set(to, { name: x.name, text: x.text ?? prev.text });
      const d: Row = x.text === null ? { name: x.name } : { name: x.name, text: x.text };
      out.push(to === id ? update(id, lsn, d) : move(id, to, lsn, d));
    }
  }
  return out;
}

describe("moves, updates and deletes with omitted TOAST columns, in random batches", () => {
  it("end with Convex equal to PostgreSQL, whether a batch is whole, split in two parts, or replayed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(actionArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
        async (txActions, groupSizes, cuts) => {
          const t = newMirror();
          const pg = new Map<number, { name: string; text: string }>();
          // A first batch so that later moves find rows stored before their batch.
          await apply(
            t,
            planOps(graph, [
              tx(
                5n,
                changesOf(
                  pg,
                  [1, 2, 3].map((to) => ({ a: "insert", pick: 0, to, name: "seed", text: `s${to}` })),
                  5n,
                ),
              ),
            ]),
          );
          const txs = txActions.map((actions, i) => tx(BigInt(10 + i), changesOf(pg, actions, BigInt(10 + i))));
          const sent: Op[][] = [];
          for (let i = 0, g = 0; i < txs.length; g++) {
            const group = txs.slice(i, i + groupSizes[g % groupSizes.length]!);
            i += group.length;
            const ops = planOps(graph, group);
            // Split in two parts the way the batcher splits an oversized transaction: in op order.
            const cut = cuts[g % cuts.length]! % (ops.length + 1);
            for (const part of cut > 0 && cut < ops.length ? [ops.slice(0, cut), ops.slice(cut)] : [ops]) {
              await apply(t, part);
              sent.push(part);
            }
          }
          const expected = Object.fromEntries([...pg].map(([id, r]) => [id, { name: r.name, text: r.text }]));
          expect(await stories(t)).toEqual(expected);
          for (const part of sent) await apply(t, part);
          expect(await stories(t)).toEqual(expected);
          expect(await allDocs(t, "pg2c_carry")).toEqual([]);
          expect(await allDocs(t, "pg2c_reject")).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("cost no more than the planner estimates for them", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 10 }), async (actions) => {
        const t = newMirror();
        const pg = new Map<number, { name: string; text: string }>();
        await apply(
          t,
          planOps(graph, [
            tx(
              5n,
              changesOf(
                pg,
                [1, 2, 3, 4].map((to) => ({ a: "insert", pick: 0, to, name: "seed", text: `s${to}` })),
                5n,
              ),
            ),
          ]),
        );
        const ops = planOps(graph, [tx(10n, changesOf(pg, actions, 10n))]);
        const est = estimateBatchCost(graph, ops);
        const used = await t.mutation(async (ctx) => {
          await applyBatchHandler(config, ctx as any, { slot: "s1", batchId: "m", ops });
          return await ctx.meta.getTransactionMetrics();
        });
        expect(used.databaseQueries.used).toBeLessThanOrEqual(est.queries);
        expect(used.documentsWritten.used).toBeLessThanOrEqual(est.writes);
      }),
      { numRuns: 60 },
    );
  });
});
