// The stream loop's abort (pipeline/stream-loop.ts) when neither the in-flight batch nor the source ever ends
// (a Convex call stuck, a frozen replication connection): with a settle bound, `done` rejects with the abort
// reason once the bound passed and release() runs anyway; without one, it keeps waiting for the batch.
import { describe, expect, it } from "vitest";
import { createDecoder } from "../../src/decode";
import { createAssembler } from "../../src/assemble/assembler";
import { createBatcher } from "../../src/plan/batcher";
import { buildGraph } from "../../src/definitions/graph";
import { col, defineTable } from "../../src/definitions/define";
import { runStream } from "../../src/pipeline/stream-loop";
import { formatLsn } from "../../src/model/lsn";
import { silentLogger } from "../../src/log";
import { Pg2ConvexError } from "../../src/errors";
import type { ChangeSource, WalMessage } from "../../src/source";
import type { Sink } from "../../src/sink";

const tables = [defineTable({ name: "item", primaryKey: ["id"], columns: { id: col.int4().notNull() } })];
const at = (n: number) => formatLsn(BigInt(n));
const head = { xid: 1, timestamp: "2026-01-01 00:00:01+00", lsn: at(1000) };
const tx: WalMessage[] = [
  { lsn: 500n, text: JSON.stringify({ action: "B", ...head, nextlsn: at(1010) }) },
  { lsn: 600n, text: JSON.stringify({ action: "I", xid: 1, lsn: at(600), schema: "public", table: "item", columns: [{ name: "id", type: "integer", value: 1 }] }) },
  { lsn: 1010n, text: JSON.stringify({ action: "C", ...head, nextlsn: at(1010) }) },
];

/** A source that delivers one transaction and then never ends (stop() does not end it either), and a sink whose apply never returns. */
function stuck() {
  let applying!: () => void;
  const applyStarted = new Promise<void>((r) => (applying = r));
  const source = {
    async stream(_from: bigint, onMessage: (m: WalMessage) => Promise<void>) {
      for (const m of tx) await onMessage(m);
      await new Promise(() => undefined);
    },
    confirm: () => undefined,
    stop: () => new Promise(() => undefined),
  } as unknown as ChangeSource;
  const sink = { apply: () => (applying(), new Promise(() => undefined)) } as unknown as Sink;
  let released = 0;
  const stream = runStream(0n, {
    source,
    decoder: createDecoder(tables),
    assembler: createAssembler(),
    values: null,
    batcher: createBatcher(buildGraph(tables)),
    sink,
    logger: silentLogger,
    flushIntervalMs: 60_000,
    release: async () => void released++,
  });
  return { stream, applyStarted, released: () => released };
}

const lost = new Pg2ConvexError("LEADERSHIP_LOST", "deposed", { retryable: true });

describe("stream abort", () => {
  it("with a settle bound: done rejects with the reason once the bound passed, and the session is released", async () => {
    const s = stuck();
    await s.applyStarted;
    const asked = Date.now();
    s.stream.abort(lost, 200);
    await expect(s.stream.done).rejects.toBe(lost);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(190);
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect(s.released()).toBe(1);
  });

  it("without one: it waits for the in-flight batch", async () => {
    const s = stuck();
    await s.applyStarted;
    s.stream.abort(lost);
    const outcome = await Promise.race([
      s.stream.done.then(
        () => "settled",
        () => "settled",
      ),
      new Promise((r) => setTimeout(() => r("waiting"), 500)),
    ]);
    expect(outcome).toBe("waiting");
    expect(s.released()).toBe(0);
  });
});
