// Transaction assembly: pure logic, no PostgreSQL needed.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createAssembler } from "../../src/assemble";
import { Pg2ConvexError } from "../../src/errors";
import type { DecodedEvent } from "../../src/model/events";
import type { RowChange, SourceTransaction } from "../../src/model/changes";

const T0 = new Date("2024-05-01T12:00:00.123Z");

function txEvents(tx: SourceTransaction, skipsAfter: ReadonlySet<number> = new Set()): DecodedEvent[] {
  const events: DecodedEvent[] = [{ type: "begin", xid: tx.xid, commitLsn: tx.commitLsn, commitTime: tx.commitTime, lsn: tx.changes[0]?.lsn ?? tx.commitLsn }];
  tx.changes.forEach((change, i) => {
    events.push({ type: "change", xid: tx.xid, change });
    if (skipsAfter.has(i)) events.push({ type: "skip", lsn: change.lsn, reason: "unmirrored table" });
  });
  events.push({ type: "commit", xid: tx.xid, commitLsn: tx.commitLsn, endLsn: tx.endLsn, commitTime: tx.commitTime });
  return events;
}

function feed(events: readonly DecodedEvent[]): SourceTransaction[] {
  const a = createAssembler();
  const out: SourceTransaction[] = [];
  for (const e of events) {
    const tx = a.push(e);
    if (tx) out.push(tx as SourceTransaction);
  }
  expect(a.openXid()).toBeNull();
  return out;
}

const insert = (id: number, lsn: bigint): RowChange => ({ kind: "insert", table: "item", key: [id], row: { id }, lsn });

function expectViolation(events: readonly DecodedEvent[], context: Record<string, unknown>): void {
  const a = createAssembler();
  let err: unknown;
  try {
    for (const e of events) a.push(e);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Pg2ConvexError);
  expect(err).toMatchObject({ code: "STREAM_FAILED", retryable: false, context });
}

describe("transaction assembler", () => {
  it("returns a whole transaction at its commit, with its changes in WAL order", () => {
    const a = createAssembler();
    expect(a.openXid()).toBeNull();
    expect(a.push({ type: "begin", xid: 7, commitLsn: 0x500n, commitTime: T0, lsn: 0x100n })).toBeNull();
    expect(a.openXid()).toBe(7);
    expect(a.push({ type: "change", xid: 7, change: insert(1, 0x100n) })).toBeNull();
    expect(a.push({ type: "skip", lsn: 0x180n, reason: "unmirrored table" })).toBeNull();
    expect(a.push({ type: "change", xid: 7, change: { kind: "truncate", tables: ["item"], lsn: 0x200n } })).toBeNull();
    const tx = a.push({ type: "commit", xid: 7, commitLsn: 0x500n, endLsn: 0x530n, commitTime: T0 });
    expect(tx).toEqual({ xid: 7, commitLsn: 0x500n, endLsn: 0x530n, commitTime: T0, changes: [insert(1, 0x100n), { kind: "truncate", tables: ["item"], lsn: 0x200n }] });
    expect(a.openXid()).toBeNull();
  });

  it("assembles empty transactions (wal2json emits B/C for transactions on unmirrored tables)", () => {
    expect(feed(txEvents({ xid: 9, commitLsn: 0x10n, endLsn: 0x40n, commitTime: T0, changes: [] }))).toEqual([{ xid: 9, commitLsn: 0x10n, endLsn: 0x40n, commitTime: T0, changes: [] }]);
    expect(feed([{ type: "skip", lsn: 1n, reason: "message" }])).toEqual([]);
  });

  it("keeps pg2convex's messages with their transaction, and refuses one outside a transaction", () => {
    const message = (xid: number): DecodedEvent => ({ type: "message", xid, prefix: "pg2convex.watermark", content: "{}", lsn: 0x20n });
    const out = feed([{ type: "begin", xid: 3, commitLsn: 0x30n, commitTime: T0, lsn: 0x20n }, message(3), { type: "commit", xid: 3, commitLsn: 0x30n, endLsn: 0x40n, commitTime: T0 }]);
    expect(out).toEqual([{ xid: 3, commitLsn: 0x30n, endLsn: 0x40n, commitTime: T0, changes: [], messages: [{ prefix: "pg2convex.watermark", content: "{}" }] }]);
    expectViolation([message(4)], { xid: 4 });
  });

  it("assembles a 20,000-row transaction", () => {
    const changes = Array.from({ length: 20_000 }, (_, i) => insert(i, 0x1000n + BigInt(i) * 0x40n));
    const tx: SourceTransaction = { xid: 42, commitLsn: 0x1000000n, endLsn: 0x1000030n, commitTime: T0, changes };
    const t0 = performance.now();
    const [out] = feed(txEvents(tx));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(out!.changes).toHaveLength(20_000);
    expect(out!.changes[19_999]).toBe(changes[19_999]);
    expect(out).toEqual(tx);
  });

  it("rejects protocol violations with xid/lsn context", () => {
    const begin = (xid: number, lsn = 0x100n): DecodedEvent => ({ type: "begin", xid, commitLsn: 0x900n, commitTime: T0, lsn });
    const change = (xid: number): DecodedEvent => ({ type: "change", xid, change: insert(1, 0x200n) });
    const commit = (xid: number, commitLsn = 0x900n): DecodedEvent => ({ type: "commit", xid, commitLsn, endLsn: 0x930n, commitTime: T0 });
    expectViolation([change(5)], { xid: 5, lsn: "0/200" });
    expectViolation([begin(5), begin(6, 0x300n)], { xid: 6, openXid: 5, lsn: "0/300" });
    expectViolation([begin(5), change(6)], { xid: 6, openXid: 5 });
    expectViolation([begin(5), commit(6)], { xid: 6, openXid: 5, lsn: "0/900" });
    expectViolation([commit(5)], { xid: 5 });
    expectViolation([begin(5), commit(5, 0x901n)], { xid: 5, lsn: "0/901" });
  });

  it("property: well-formed, non-interleaved transactions come out intact and in order", () => {
    const change = fc.oneof(
      fc.record({ kind: fc.constant("insert" as const), table: fc.constantFrom("a", "b"), key: fc.tuple(fc.integer()), row: fc.constant({}), lsn: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
      fc.record({ kind: fc.constant("delete" as const), table: fc.constantFrom("a", "b"), key: fc.tuple(fc.integer()), lsn: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
      fc.record({ kind: fc.constant("truncate" as const), tables: fc.array(fc.constantFrom("a", "b"), { minLength: 1 }), lsn: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    );
    const transaction = fc.record({
      xid: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
      commitLsn: fc.bigInt({ min: 0n, max: 2n ** 63n }),
      endLsn: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      commitTime: fc.date({ noInvalidDate: true }),
      changes: fc.array(change, { maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(transaction, fc.array(fc.nat(20), { maxLength: 3 })), { maxLength: 15 }), (txs) => {
        const events = txs.flatMap(([tx, skips]) => txEvents(tx as SourceTransaction, new Set(skips)));
        expect(feed(events)).toEqual(txs.map(([tx]) => tx));
      }),
    );
  });
});
