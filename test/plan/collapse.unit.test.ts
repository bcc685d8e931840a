import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { planOps } from "../../src/plan/collapse";
import { keyString } from "../../src/model/key";
import { buildGraph } from "../../src/definitions/graph";
import { referenceTables } from "../../tables/reference";
import type { RowChange, SourceTransaction } from "../../src/model/changes";
import type { Op } from "../../src/mirror-functions/wire/protocol";

const graph = buildGraph(referenceTables);
const tableNames = ["language", "course", "story", "story_approval", "story_done"] as const;

const tx = (commitLsn: bigint, changes: RowChange[]): SourceTransaction => ({ xid: Number(commitLsn), commitLsn, endLsn: commitLsn + 1n, commitTime: new Date(0), changes });

/** Random row changes over a few tables and a small key space, so keys collide often. */
const changeArb = fc.oneof(
  fc.record({ kind: fc.constantFrom("insert" as const, "update" as const), table: fc.constantFrom(...tableNames), id: fc.integer({ min: 1, max: 4 }), v: fc.integer() }),
  fc.record({ kind: fc.constant("delete" as const), table: fc.constantFrom(...tableNames), id: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant("move" as const), table: fc.constantFrom(...tableNames), id: fc.integer({ min: 1, max: 4 }), to: fc.integer({ min: 1, max: 4 }), v: fc.integer() }),
);
type Gen = typeof changeArb extends fc.Arbitrary<infer T> ? T : never;

function toChange(g: Gen, lsn: bigint): RowChange {
  if (g.kind === "delete") return { kind: "delete", table: g.table, key: [g.id], lsn };
  if (g.kind === "move") return { kind: "update", table: g.table, key: [g.to], oldKey: g.to === g.id ? undefined : [g.id], row: { id: g.to, v: g.v }, lsn } as RowChange;
  return { kind: g.kind, table: g.table, key: [g.id], row: { id: g.id, v: g.v }, lsn } as RowChange;
}

/** The reference model: apply changes one by one. */
function model(changes: RowChange[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const c of changes) {
    if (c.kind === "truncate" || c.kind === "reject") continue;
    if (c.kind === "delete") m.delete(`${c.table}:${keyString(c.key)}`);
    else {
      if (c.kind === "update" && c.oldKey) m.delete(`${c.table}:${keyString(c.oldKey)}`);
      const prev = m.get(`${c.table}:${keyString(c.key)}`) as Record<string, unknown> | undefined;
      m.set(`${c.table}:${keyString(c.key)}`, { ...(prev ?? {}), ...c.row });
    }
  }
  return m;
}

function applyOps(ops: Op[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const op of ops) {
    const table = graph.byConvexName(op.o === "truncate" ? "" : op.t)?.name;
    if (op.o === "delete") m.delete(`${table}:${keyString(op.k)}`);
    if (op.o === "upsert") {
      const prev = m.get(`${table}:${keyString(op.k)}`) as Record<string, unknown> | undefined;
      m.set(`${table}:${keyString(op.k)}`, op.partial ? { ...(prev ?? {}), ...op.d } : { ...op.d });
    }
  }
  return m;
}

describe("planOps", () => {
  it("collapses any change sequence to the same final state, each row once, in graph order", () => {
    fc.assert(
      fc.property(fc.array(fc.array(changeArb, { maxLength: 8 }), { minLength: 1, maxLength: 6 }), (txSpecs) => {
        const txs = txSpecs.map((spec, i) =>
          tx(
            BigInt(100 + i),
            spec.map((g) => toChange(g, BigInt(100 + i))),
          ),
        );
        const ops = planOps(graph, txs);
        // Same final state as applying every change in order.
        expect(applyOps(ops)).toEqual(model(txs.flatMap((t) => t.changes)));
        // Each row at most once.
        const keys = ops.map((o) => (o.o === "truncate" ? "" : `${o.t}:${keyString(o.k)}`));
        expect(new Set(keys).size).toBe(keys.length);
        // Deletes (children first) precede upserts (parents first).
        const rank = (o: Op) => graph.rank.get(graph.byConvexName((o as { t: string }).t)!.name)!;
        const firstUpsert = ops.findIndex((o) => o.o === "upsert");
        const deletes = ops.filter((o) => o.o === "delete");
        const upserts = ops.filter((o) => o.o === "upsert");
        if (firstUpsert >= 0) expect(ops.slice(firstUpsert).some((o) => o.o === "delete")).toBe(false);
        for (let i = 1; i < deletes.length; i++) expect(rank(deletes[i]!)).toBeLessThanOrEqual(rank(deletes[i - 1]!));
        for (let i = 1; i < upserts.length; i++) expect(rank(upserts[i]!)).toBeGreaterThanOrEqual(rank(upserts[i - 1]!));
        // Every op carries the commit LSN of the last transaction that touched its row.
        for (const op of ops) {
          if (op.o === "truncate") continue;
          const last = [...txs]
            .reverse()
            .find((t) => t.changes.some((c) => c.kind !== "truncate" && c.table === graph.byConvexName(op.t)!.name && (keyString(c.key) === keyString(op.k) || (c.kind === "update" && c.oldKey && keyString(c.oldKey) === keyString(op.k)))));
          expect(op.ver).toBe(last!.commitLsn);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("plans a 300,000-row transaction without overflowing the stack", () => {
    const changes: RowChange[] = Array.from({ length: 300_000 }, (_, i) => ({ kind: "delete", table: "story_done", key: [i], lsn: 9n }));
    expect(planOps(graph, [tx(9n, changes)])).toHaveLength(300_000);
  });

  it("turns a primary-key change into a delete of the old key and an upsert of the new", () => {
    const ops = planOps(graph, [tx(10n, [{ kind: "update", table: "course", key: [7], oldKey: [3], row: { id: 7 }, lsn: 10n }])]);
    expect(ops.map((o) => [o.o, (o as { k: unknown[] }).k])).toEqual([
      ["delete", [3]],
      ["upsert", [7]],
    ]);
  });

  it("marks an update with an omitted (unchanged TOAST) column partial unless the batch has the full row", () => {
    const fullRow = Object.fromEntries(graph.byName("story")!.columns.map((c) => [c.name, null]));
    const alone = planOps(graph, [tx(5n, [{ kind: "update", table: "story", key: [1], row: { ...fullRow, id: 1, text: undefined }, lsn: 5n }])]);
    expect(alone[0]).toMatchObject({ o: "upsert", partial: true });
    expect("text" in (alone[0] as { d: object }).d).toBe(false);
    const merged = planOps(graph, [
      tx(5n, [{ kind: "insert", table: "story", key: [1], row: { ...fullRow, id: 1, text: "long" }, lsn: 5n }]),
      tx(6n, [{ kind: "update", table: "story", key: [1], row: { ...fullRow, id: 1, name: "n", text: undefined }, lsn: 6n }]),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ o: "upsert", ver: 6n, d: { text: "long", name: "n" } });
    expect((merged[0] as { partial?: boolean }).partial).toBeUndefined();
  });

  it("drops rows of a truncated table written before the truncate, keeping other tables' rows", () => {
    const ops = planOps(graph, [
      tx(3n, [
        { kind: "insert", table: "story", key: [1], row: { id: 1 }, lsn: 3n },
        { kind: "insert", table: "course", key: [1], row: { id: 1 }, lsn: 3n },
        { kind: "truncate", tables: ["story"], lsn: 3n },
      ]),
    ]);
    expect(ops.map((o) => [o.o, (o as { t?: string }).t ?? (o as { ts: string[] }).ts.join()])).toEqual([
      ["upsert", "course"],
      ["truncate", "story"],
    ]);
  });

  it("keeps a truncate as a barrier between the rows before and after it", () => {
    const ops = planOps(graph, [
      tx(1n, [{ kind: "insert", table: "course", key: [1], row: { id: 1 }, lsn: 1n }]),
      tx(2n, [
        { kind: "truncate", tables: ["story"], lsn: 2n },
        { kind: "insert", table: "story", key: [1], row: { id: 1, name: "again" }, lsn: 2n },
      ]),
    ]);
    expect(ops.map((o) => o.o)).toEqual(["upsert", "truncate", "upsert"]);
    expect(ops[2]).toMatchObject({ ver: 2n, d: { name: "again" } });
  });

  describe("a primary-key change with an omitted (unchanged TOAST) column", () => {
    const full = (id: number, d: Record<string, unknown> = {}) => ({ ...Object.fromEntries(graph.byName("story")!.columns.map((c) => [c.name, null])), id, text: "long", ...d }) as RowChange extends { row: infer R } ? R : never;
    const move = (from: number, to: number, lsn: bigint, d: Record<string, unknown> = {}): RowChange => ({ kind: "update", table: "story", key: [to], oldKey: [from], row: full(to, { text: undefined, ...d }), lsn });
    const update = (id: number, lsn: bigint, d: Record<string, unknown> = {}): RowChange => ({ kind: "update", table: "story", key: [id], row: full(id, { text: undefined, ...d }), lsn });
    const insert = (id: number, lsn: bigint, d: Record<string, unknown> = {}): RowChange => ({ kind: "insert", table: "story", key: [id], row: full(id, d), lsn });
    const shape = (ops: Op[]) => ops.map((o) => ({ o: o.o, k: (o as { k: unknown[] }).k, from: (o as { from?: unknown }).from, keep: (o as { keep?: unknown }).keep, partial: (o as { partial?: boolean }).partial }));

    it("takes the columns from the old key: the old key's op keeps its doc for the new key", () => {
      const ops = planOps(graph, [tx(10n, [move(1, 2, 10n, { name: "moved" })]), tx(11n, [update(2, 11n, { name: "plain" })])]);
      expect(shape(ops)).toEqual([
        { o: "delete", k: [1], from: undefined, keep: [[2]], partial: undefined },
        { o: "upsert", k: [2], from: [1], keep: undefined, partial: true },
      ]);
      expect(ops[1]).toMatchObject({ ver: 11n, d: { name: "plain" } });
      expect("text" in (ops[1] as { d: object }).d).toBe(false);
    });

    it("merges an insert and the move of the same batch into one whole row", () => {
      const ops = planOps(graph, [tx(10n, [insert(1, 10n, { text: "very long" }), move(1, 2, 10n, { name: "moved" })]), tx(11n, [update(2, 11n, { name: "plain" })])]);
      expect(shape(ops)).toEqual([
        { o: "delete", k: [1], from: undefined, keep: undefined, partial: undefined },
        { o: "upsert", k: [2], from: undefined, keep: undefined, partial: undefined },
      ]);
      expect(ops[1]).toMatchObject({ ver: 11n, d: { id: 2, text: "very long", name: "plain" } });
    });

    it("follows a chain of moves back to the key the row had before the batch", () => {
      const ops = planOps(graph, [tx(10n, [update(1, 10n, { name: "first" }), move(1, 2, 10n), move(2, 3, 10n, { name: "third" })])]);
      expect(shape(ops)).toEqual([
        { o: "delete", k: [1], from: undefined, keep: [[3]], partial: undefined },
        { o: "delete", k: [2], from: undefined, keep: undefined, partial: undefined },
        { o: "upsert", k: [3], from: [1], keep: undefined, partial: true },
      ]);
      expect(ops[2]).toMatchObject({ d: { id: 3, name: "third" } });
    });

    it("a row moved back to its own key is a plain partial update", () => {
      const ops = planOps(graph, [tx(10n, [move(1, 2, 10n), move(2, 1, 10n, { name: "home" })])]);
      expect(shape(ops)).toEqual([
        { o: "delete", k: [2], from: undefined, keep: undefined, partial: undefined },
        { o: "upsert", k: [1], from: undefined, keep: undefined, partial: true },
      ]);
    });

    it("a swap of two keys keeps each old doc before the other row's upsert overwrites it", () => {
      const ops = planOps(graph, [tx(10n, [move(1, 9, 10n), move(2, 1, 10n), move(9, 2, 10n)])]);
      expect(shape(ops)).toEqual([
        { o: "delete", k: [9], from: undefined, keep: undefined, partial: undefined },
        { o: "upsert", k: [1], from: [2], keep: [[2]], partial: true },
        { o: "upsert", k: [2], from: [1], keep: [[1]], partial: true },
      ]);
    });

    it("an update or move that leaves columns out after a rejected change of the row stays a reject", () => {
      const rejected: RowChange = { kind: "reject", table: "story", key: [1], lsn: 10n, code: "DOCUMENT_TOO_LARGE", reason: "2 MiB" };
      const updated = planOps(graph, [tx(10n, [rejected]), tx(11n, [update(1, 11n, { name: "n" })])]);
      expect(updated).toMatchObject([{ o: "reject", k: [1], ver: 11n, code: "DOCUMENT_TOO_LARGE" }]);
      const moved = planOps(graph, [tx(10n, [rejected]), tx(11n, [move(1, 2, 11n)])]);
      expect(moved.map((o) => [o.o, (o as { k: unknown[] }).k])).toEqual([
        ["delete", [1]],
        ["reject", [2]],
      ]);
      // A whole row is storable again.
      expect(planOps(graph, [tx(10n, [rejected]), tx(11n, [update(1, 11n, { text: "short" })])])).toMatchObject([{ o: "upsert", k: [1], d: { text: "short" } }]);
    });

    it("a row inserted at the old key after the move keeps the moved row's columns first", () => {
      const ops = planOps(graph, [tx(10n, [move(1, 2, 10n)]), tx(11n, [insert(1, 11n, { text: "new row" })])]);
      expect(shape(ops)).toEqual([
        { o: "upsert", k: [2], from: [1], keep: undefined, partial: true },
        { o: "upsert", k: [1], from: undefined, keep: [[2]], partial: undefined },
      ]);
    });
  });
});
