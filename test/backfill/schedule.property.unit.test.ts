// The backfill scheduler's invariants under random dependency graphs, apply delays and failures. The sink
// models Convex: a batch becomes durable when its apply resolves, and the table's progress merges by the real
// rule (mergeProgress), so "where a crash would resume" is exactly what Convex would hold.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runSchedule, type Chunk, type Mark, type TableJob } from "../../src/backfill/schedule";
import { mergeProgress, type Progress } from "../../src/mirror-functions/apply/checkpoint-rules";
import { Pg2ConvexError } from "../../src/errors";
import type { Batch } from "../../src/plan";

interface Spec {
  tables: Array<{ after: number[]; serial: boolean; chunks: number[] }>; // chunks[i] = batches in chunk i
  concurrency: number;
  delays: number[];
  failAt: number | null; // index of the apply call that fails
}

const spec: fc.Arbitrary<Spec> = fc
  .record({
    n: fc.integer({ min: 1, max: 5 }),
    concurrency: fc.integer({ min: 1, max: 6 }),
    delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }),
    failAt: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
    seed: fc.array(fc.tuple(fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 })), { minLength: 5, maxLength: 5 }),
  })
  .map(({ n, concurrency, delays, failAt, seed }) => ({
    concurrency,
    delays,
    failAt,
    tables: seed.slice(0, n).map(([edges, serial, chunks], i) => ({ after: edges.slice(0, i).flatMap((e, j) => (e ? [j] : [])), serial, chunks })),
  }));

const name = (i: number) => `t${i}`;
const mark = (t: number, c: number, last: boolean): Mark => ({ table: name(t), after: last ? null : [String(c)], done: last, rows: c + 1 });

/** The durable model of Convex plus the checks made at each commit. */
function model(s: Spec, before?: { durable: Set<string>; progress: Progress[] }) {
  const durable = new Set<string>(before?.durable);
  let progress: Progress[] = before?.progress ?? [];
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  let failed = false;
  const violations: string[] = [];
  const chunkDurable = (t: number, c: number) => Array.from({ length: s.tables[t]!.chunks[c]! }, (_, b) => durable.has(`${name(t)}:${c}:${b}`)).every(Boolean);
  const tableDone = (t: number) => s.tables[t]!.chunks.every((_, c) => chunkDurable(t, c)) && progress.find((p) => p.table === name(t))?.done === true;
  const apply = async (batch: Batch, m: Mark | undefined, failAt: number | null) => {
    if (failed) violations.push(`apply ${batch.id} started after a failure`);
    const call = calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, s.delays[call % s.delays.length]));
    inFlight--;
    if (call === failAt) {
      failed = true;
      throw new Pg2ConvexError("CONVEX_TRANSIENT", `apply ${batch.id} failed`);
    }
    const t = Number(/t(\d+)/.exec(batch.id)![1]);
    for (const p of s.tables[t]!.after) if (!tableDone(p)) violations.push(`${batch.id} landed before parent ${name(p)} was complete`);
    if (!batch.id.endsWith("-end")) durable.add(batch.id);
    if (m) {
      for (let c = 0; c < m.rows; c++) if (!chunkDurable(t, c)) violations.push(`${batch.id} recorded ${name(t)} up to chunk ${m.rows - 1} but chunk ${c} is not durable`);
      progress = mergeProgress(progress, m);
    }
  };
  return {
    durable,
    apply,
    violations,
    get progress() {
      return progress;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

function jobs(s: Spec, from: (t: number) => number): TableJob[] {
  return s.tables.map((t, ti) => {
    let c = from(ti);
    return {
      table: name(ti),
      after: t.after.map(name),
      serial: t.serial,
      next: async (): Promise<Chunk | null> => {
        if (c >= t.chunks.length) return null;
        const ci = c++;
        const batches: Batch[] = Array.from({ length: t.chunks[ci]! }, (_, b) => ({ id: `${name(ti)}:${ci}:${b}`, ops: [], txCount: 0, rowCount: 0 }));
        return { batches, mark: mark(ti, ci, ci === t.chunks.length - 1), from: ci === 0 ? null : [String(ci - 1)] };
      },
    };
  });
}

describe("backfill schedule", () => {
  it("parents before children, cursor only over durable chunks, at most N in flight, failure stops and resumes without gaps", async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const m = model(s);
        const run = runSchedule(
          jobs(s, () => 0),
          s.concurrency,
          (b, mk) => m.apply(b, mk, s.failAt),
        );
        const error = await run.then(
          () => null,
          (e: unknown) => e,
        );
        expect(m.violations).toEqual([]);
        expect(m.maxInFlight).toBeLessThanOrEqual(s.concurrency);
        const total = s.tables.reduce((n, t) => n + t.chunks.length, 0);
        if (error === null) {
          expect(s.tables.every((_, t) => m.progress.find((p) => p.table === name(t))?.done)).toBe(true);
          expect(m.durable.size).toBe(s.tables.reduce((n, t) => n + t.chunks.reduce((a, b) => a + b, 0), 0));
          return;
        }
        expect(error).toBeInstanceOf(Pg2ConvexError);
        expect((error as Pg2ConvexError).context.table).toMatch(/^t\d$/);
        // Resume from what Convex recorded, with no failure: everything becomes durable, no gap left.
        const resumed = model(s, { durable: m.durable, progress: m.progress });
        const saved = (t: number) => m.progress.find((p) => p.table === name(t));
        const todo = jobs(s, (t) => (saved(t)?.done ? Infinity : (saved(t)?.rows ?? 0))).filter((_, t) => !saved(t)?.done);
        for (const j of todo) j.after = j.after.filter((a) => todo.some((o) => o.table === a));
        await runSchedule(todo, s.concurrency, (b, mk) => resumed.apply(b, mk, null));
        expect(resumed.violations).toEqual([]);
        expect(resumed.durable.size).toBe(s.tables.reduce((n, t) => n + t.chunks.reduce((a, b) => a + b, 0), 0));
        expect(total).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });
});
