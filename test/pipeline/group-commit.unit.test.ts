// The stream loop's group commit (pipeline/stream-loop.ts), with the real decoder, assembler and batcher between
// a scripted wal2json source and a recording sink whose mutations take a chosen time. Invariants checked:
//  - at most one mutation in flight, and batches reach the sink in WAL order with rising checkpoints;
//  - every row arrives exactly once and the last checkpoint is the last transaction's end;
//  - a transaction that commits while no mutation is in flight is sent at once (it never waits for the timer);
//  - transactions that commit while one is in flight go out together when it returns.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createDecoder } from "../../src/decode";
import { createAssembler } from "../../src/assemble/assembler";
import { createBatcher } from "../../src/plan/batcher";
import { buildGraph } from "../../src/definitions/graph";
import { col, defineTable } from "../../src/definitions/define";
import { runStream } from "../../src/pipeline/stream-loop";
import { formatLsn } from "../../src/model/lsn";
import { silentLogger } from "../../src/log";
import type { ChangeSource, WalMessage } from "../../src/source";
import type { Batch } from "../../src/plan";
import type { Sink } from "../../src/sink";

const tables = [defineTable({ name: "item", primaryKey: ["id"], columns: { id: col.int4().notNull() } })];
const graph = buildGraph(tables);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Transaction i (1-based) inserts `rows` ids; its commit record starts at 1000·i and ends at 1000·i + 10. */
function messages(i: number, ids: number[]): WalMessage[] {
  const at = (n: number) => formatLsn(BigInt(n));
  const head = { xid: i, timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().replace("T", " ").replace("Z", "+00"), lsn: at(1000 * i) };
  return [
    { lsn: BigInt(1000 * i - 500), text: JSON.stringify({ action: "B", ...head, nextlsn: at(1000 * i + 10) }) },
    ...ids.map((id, j) => ({ lsn: BigInt(1000 * i - 400 + j), text: JSON.stringify({ action: "I", xid: i, lsn: at(1000 * i - 400 + j), schema: "public", table: "item", columns: [{ name: "id", type: "integer", value: id }] }) })),
    { lsn: BigInt(1000 * i + 10), text: JSON.stringify({ action: "C", ...head, nextlsn: at(1000 * i + 10) }) },
  ];
}

interface Script {
  txs: number[][];
  /** Milliseconds the source waits before each transaction. */
  gaps: number[];
  applyMs: number[];
}

async function run(script: Script, flushIntervalMs = 60_000) {
  const applied: Array<{ batch: Batch; startedAt: number; rows: number[] }> = [];
  const committedAt: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let streamed!: () => void;
  const finished = new Promise<void>((r) => (streamed = r));
  const source: ChangeSource = {
    async stream(_from: bigint, onMessage: (m: WalMessage) => Promise<void>) {
      for (const [i, ids] of script.txs.entries()) {
        await sleep(script.gaps[i % script.gaps.length]!);
        committedAt.push(Date.now());
        for (const m of messages(i + 1, ids)) await onMessage(m);
      }
      streamed();
      await stopped;
    },
    confirm: () => undefined,
    stop: async () => release(),
  } as unknown as ChangeSource;
  let release!: () => void;
  const stopped = new Promise<void>((r) => (release = r));
  const sink = {
    async apply(batch: Batch) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const startedAt = Date.now();
      await sleep(script.applyMs[applied.length % script.applyMs.length]!);
      applied.push({ batch, startedAt, rows: batch.ops.map((o) => Number((o as { k: unknown[] }).k[0])) });
      inFlight--;
    },
  } as unknown as Sink;
  const stream = runStream(0n, { source, decoder: createDecoder(tables), assembler: createAssembler(), values: null, batcher: createBatcher(graph), sink, logger: silentLogger, flushIntervalMs, release: async () => undefined });
  await finished;
  await stream.stop();
  await stream.done;
  return { applied, committedAt, maxInFlight };
}

describe("group commit in the stream loop", () => {
  it("one mutation in flight, WAL order, every row once, last checkpoint at the last end (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 5 }),
        async (sizes, gaps, applyMs) => {
          let next = 1;
          const txs = sizes.map((n) => Array.from({ length: n }, () => next++));
          const { applied, maxInFlight } = await run({ txs, gaps, applyMs });
          expect(maxInFlight).toBeLessThanOrEqual(1);
          expect(applied.flatMap((a) => a.rows).sort((a, b) => a - b)).toEqual(txs.flat());
          const checkpoints = applied.map((a) => a.batch.checkpoint?.endLsn).filter((l) => l !== undefined);
          expect(checkpoints).toEqual([...checkpoints].sort((a, b) => (a! < b! ? -1 : 1)));
          expect(new Set(checkpoints).size).toBe(checkpoints.length);
          // Rows of a later transaction never reach the sink before an earlier one's.
          const order = applied.flatMap((a) => a.rows);
          const txOf = new Map(txs.flatMap((ids, i) => ids.map((id) => [id, i] as const)));
          const seq = order.map((id) => txOf.get(id)!);
          expect(seq).toEqual([...seq].sort((a, b) => a - b));
          expect(checkpoints.at(-1)).toBe(BigInt(1000 * txs.length + 10));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("sends a transaction at once when nothing is in flight, and groups what commits during a mutation", async () => {
    // Transaction 1 alone, after a pause; 2..9 arrive while its 150 ms mutation is in flight.
    const txs = Array.from({ length: 9 }, (_, i) => [i + 1]);
    const { applied, committedAt } = await run({ txs, gaps: [0, 0, 0, 0, 0, 0, 0, 0, 0], applyMs: [150, 0] }, 60_000);
    // The timer (60 s) never fired: the first mutation started as soon as its transaction committed.
    expect(applied[0]!.startedAt - committedAt[0]!).toBeLessThan(2000);
    expect(applied[0]!.batch.txCount).toBe(1);
    expect(applied[1]!.batch.txCount).toBe(8);
    expect(applied).toHaveLength(2);
  });
});
