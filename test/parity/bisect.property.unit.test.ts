// Property: on random tables with random injected differences, checksum bisection reports exactly the
// injected keys, whatever the bisection parameters. The two sides here are sorted arrays of (key, hash)
// behind the same Side interface the PostgreSQL and Convex sides implement (the real sides are exercised
// end to end in bisect-real.property.test.ts and drift.test.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bisect, type RowHash, type Side } from "../../src/parity/bisect";
import { compareKeys, keyString } from "../../src/model/key";
import type { Bound, KeyRange } from "../../src/parity/keys";
import { RangeSum, fnv1a64, hashHex } from "../../src/mirror-functions/parity/row-hash";
import { segmentOf } from "../../src/mirror-functions/parity/parity-scan";

type Row = { id: number; v: string };

function arraySide(rows: Row[], counter: { calls: number }): Side {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const hashOf = (r: Row) => hashHex(fnv1a64(`${r.id}:${r.v}`));
  const inRange = (range: KeyRange) => sorted.filter((r) => (!range.lo || compareKeys([r.id], range.lo.v) >= 0) && (!range.hi || compareKeys([r.id], range.hi.v) < 0));
  const seg = (s: RangeSum) => ({ count: s.count, hash: s.hex() });
  return {
    async cut(range, chunk) {
      counter.calls++;
      const bounds: Bound[] = [];
      const sums = [new RangeSum()];
      for (const r of inRange(range)) {
        if (sums[sums.length - 1]!.count >= chunk) {
          bounds.push({ v: [r.id], t: [String(r.id)] });
          sums.push(new RangeSum());
        }
        sums[sums.length - 1]!.merge(hashOf(r), 1);
      }
      return { bounds, segs: sums.map(seg) };
    },
    async segments(range, bounds) {
      counter.calls++;
      const sums = bounds.map(() => new RangeSum()).concat(new RangeSum());
      for (const r of inRange(range))
        sums[
          segmentOf(
            bounds.map((b) => b.v),
            [r.id],
          )
        ]!.merge(hashOf(r), 1);
      return sums.map(seg);
    },
    async rows(range): Promise<RowHash[]> {
      counter.calls++;
      return inRange(range).map((r) => ({ key: [r.id], id: keyString([r.id]), hash: hashOf(r) }));
    },
  };
}

const table = fc.uniqueArray(fc.integer({ min: -100_000, max: 100_000 }), { maxLength: 3_000, size: "max" }).map((ids) => ids.map((id) => ({ id, v: `row ${id}` })));

describe("checksum bisection", () => {
  it("finds exactly the injected missing, extra and changed keys", async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.array(fc.tuple(fc.nat(), fc.constantFrom("missing", "extra", "mismatch")), { maxLength: 25, size: "max" }), fc.integer({ min: 2, max: 32 }), fc.integer({ min: 1, max: 200 }), async (rows, edits, factor, leafRows) => {
        const pg = new Map(rows.map((r) => [r.id, r]));
        const cx = new Map(rows.map((r) => [r.id, r]));
        const expected = new Map<number, string>();
        for (const [n, kind] of edits) {
          if (kind === "extra") {
            const id = 200_000 + n; // outside the table's key space: surely new
            cx.set(id, { id, v: "extra" });
            expected.set(id, "extra");
          } else if (rows.length > 0) {
            const id = rows[n % rows.length]!.id;
            if (expected.has(id)) continue;
            if (kind === "missing") cx.delete(id);
            else cx.set(id, { id, v: "changed" });
            expected.set(id, kind);
          }
        }
        const calls = { calls: 0 };
        const r = await bisect(arraySide([...pg.values()], calls), arraySide([...cx.values()], calls), pg.size, { factor, leafRows });
        const found = new Map(r.candidates.map((c) => [c.key[0] as number, c.kind]));
        expect(found).toEqual(expected);
        expect(r.counts).toEqual({ postgres: pg.size, convex: cx.size });
      }),
      { numRuns: 200 },
    );
  });

  it("stops at the first level when the sides are equal", async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => ({ id: i, v: `r${i}` }));
    const calls = { calls: 0 };
    const r = await bisect(arraySide(rows, calls), arraySide(rows, calls), rows.length, { factor: 16, leafRows: 1_000 });
    expect(r.candidates).toEqual([]);
    expect(r.stats).toMatchObject({ leaves: 0, segmentsHashed: 16, depth: 0 });
    expect(calls.calls).toBe(2);
  });
});
