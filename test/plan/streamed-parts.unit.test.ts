// A transaction streamed in parts (src/assemble/parts.ts) ends in Convex exactly as the same transaction applied
// whole: cut anywhere, with keys changed in several parts, moves, deletes and truncates; also when the bridge
// dies after some parts and the whole transaction is replayed; and the checkpoint rides only on its last batch.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "convex/values";
import { createAssembler } from "../../src/assemble";
import { createBatcher } from "../../src/plan";
import type { Batch } from "../../src/plan";
import { buildGraph } from "../../src/definitions/graph";
import { referenceTables } from "../../tables/reference";
import type { AssembledUnit, RowChange } from "../../src/model/changes";
import type { DecodedEvent } from "../../src/model/events";
import { allDocs, applyFully, newMirror, type Mirror } from "../mirror-functions/harness";

const graph = buildGraph(referenceTables);
const COMMIT = 0x9000n;
const PREV = 0x100n;

const langRow = (id: number, name: string): Record<string, Value> => ({ id, name, short: `l${id}`, flag: null, flag_file: null, speaker: null, default_text: null, tts_replace: null, public: true, rtl: false });

const stepArb = fc.oneof(
  fc.record({ k: fc.constant("upsert" as const), id: fc.integer({ min: 1, max: 5 }), v: fc.string({ maxLength: 3 }) }),
  fc.record({ k: fc.constant("delete" as const), id: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ k: fc.constant("move" as const), id: fc.integer({ min: 1, max: 5 }), to: fc.integer({ min: 6, max: 9 }), v: fc.string({ maxLength: 3 }) }),
  fc.record({ k: fc.constant("truncate" as const) }),
);
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** Turns steps into changes a real transaction could produce (each key's existence tracked). */
function changesOf(steps: Step[], existing: Set<number>): RowChange[] {
  const live = new Set(existing);
  const out: RowChange[] = [];
  let lsn = 0x1000n;
  for (const s of steps) {
    lsn += 0x10n;
    if (s.k === "truncate") {
      out.push({ kind: "truncate", tables: ["language"], lsn });
      live.clear();
    } else if (s.k === "upsert") {
      out.push({ kind: live.has(s.id) ? "update" : "insert", table: "language", key: [s.id], row: langRow(s.id, s.v), lsn } as RowChange);
      live.add(s.id);
    } else if (s.k === "delete" && live.has(s.id)) {
      out.push({ kind: "delete", table: "language", key: [s.id], lsn });
      live.delete(s.id);
    } else if (s.k === "move" && live.has(s.id) && !live.has(s.to)) {
      out.push({ kind: "update", table: "language", key: [s.to], oldKey: [s.id], row: langRow(s.to, s.v), lsn });
      live.delete(s.id);
      live.add(s.to);
    }
  }
  return out;
}

function batchesOf(changes: RowChange[], maxRows: number): Batch[] {
  const assembler = createAssembler({ maxRows, maxBytes: Number.POSITIVE_INFINITY });
  const batcher = createBatcher(graph, { maxOps: 3 });
  const events: DecodedEvent[] = [
    { type: "begin", xid: 5, commitLsn: COMMIT, commitTime: new Date(0), lsn: 0x1000n },
    ...changes.map((change) => ({ type: "change" as const, xid: 5, change })),
    { type: "commit", xid: 5, commitLsn: COMMIT, endLsn: COMMIT + 0x30n, commitTime: new Date(0) },
  ];
  const out: Batch[] = [];
  for (const e of events) {
    const unit: AssembledUnit | null = assembler.push(e, 10);
    if (unit) out.push(...batcher.add(unit));
  }
  return [...out, ...batcher.flush()];
}

async function seed(t: Mirror, ids: number[]) {
  const ops = ids.map((id) => ({ o: "upsert" as const, t: "language", k: [id], ver: PREV, d: langRow(id, "before") }));
  await applyFully(t, ops, { checkpoint: { commitLsn: PREV, endLsn: PREV + 1n } });
}

async function applyAll(t: Mirror, batches: Batch[]) {
  for (const b of batches) await applyFully(t, b.ops, { batchId: b.id, ...(b.checkpoint ? { checkpoint: b.checkpoint } : {}), ...(b.stream ? { stream: b.stream } : {}) });
}

const languages = async (t: Mirror) => (await allDocs(t, "language")).map(({ _id, _creationTime, ...d }) => d).sort((a, b) => Number(a.id) - Number(b.id));

describe("a transaction streamed in parts", () => {
  it("ends as the whole transaction does, also after a crash between parts and a replay", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 14 }), fc.integer({ min: 1, max: 4 }), fc.nat(), async (steps, maxRows, crashAt) => {
        const before = [1, 2, 3];
        const changes = changesOf(steps, new Set(before));
        const whole = newMirror();
        await seed(whole, before);
        await applyAll(whole, batchesOf(changes, Number.POSITIVE_INFINITY));

        const parts = batchesOf(changes, maxRows);
        // Only the very last batch carries the checkpoint.
        expect(parts.filter((b) => b.checkpoint).map((b) => parts.indexOf(b))).toEqual([parts.length - 1]);
        const streamed = newMirror();
        await seed(streamed, before);
        await applyAll(streamed, parts.slice(0, crashAt % parts.length)); // died before the last batch
        await applyAll(streamed, batchesOf(changes, maxRows)); // the restart replays the whole transaction
        expect(await languages(streamed)).toEqual(await languages(whole));
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("cuts parts only between changes of different LSNs (multi-insert records stay together)", () => {
    const a = createAssembler({ maxRows: 2, maxBytes: Number.POSITIVE_INFINITY });
    a.push({ type: "begin", xid: 1, commitLsn: COMMIT, commitTime: new Date(0), lsn: 1n });
    const ins = (id: number, lsn: bigint): DecodedEvent => ({ type: "change", xid: 1, change: { kind: "insert", table: "language", key: [id], row: langRow(id, "x"), lsn } });
    const units = [ins(1, 0x10n), ins(2, 0x10n), ins(3, 0x10n), ins(4, 0x20n), ins(5, 0x30n), ins(6, 0x40n)].map((e) => a.push(e)).filter((u) => u !== null);
    expect(units.map((u) => u.changes.map((c) => (c.kind === "insert" ? c.key[0] : null)))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(units.map((u) => ("part" in u ? u.part : null))).toEqual([0, 1]);
    const last = a.push({ type: "commit", xid: 1, commitLsn: COMMIT, endLsn: COMMIT + 1n, commitTime: new Date(0) });
    expect(last).toMatchObject({ part: 2, endLsn: COMMIT + 1n, changes: [{ key: [6] }] });
  });

  it("leaves small transactions whole: no part, no stream marker", () => {
    const batches = batchesOf([{ kind: "insert", table: "language", key: [1], row: langRow(1, "x"), lsn: 0x10n }], 10);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.stream).toBeUndefined();
    expect(batches[0]!.checkpoint).toEqual({ commitLsn: COMMIT, endLsn: COMMIT + 0x30n });
  });
});
