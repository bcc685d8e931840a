// The canonical row hash shared by the checker and the Convex parity queries: FNV-1a 64 test vectors, and
// properties over the type mapping's values: equal values ⇔ equal hash, object key order never matters,
// and PostgreSQL texts that denote the same value (jsonb key order, timestamp offsets) hash the same
// after decodeText.
import fc from "fast-check";
import { compareValues, type Value } from "convex/values";
import { describe, expect, it } from "vitest";
import { decodeText } from "../../src/decode";
import { encodeValue, fnv1a64, hashHex, hashRow, RangeSum } from "../../src/mirror-functions/parity/row-hash";
import type { ColumnDef } from "../../src/definitions/types";

const hex = (s: string) => hashHex(fnv1a64(s));
const h = (v: Value) => hex(encodeValue(v));
const col = (type: ColumnDef["type"], array = false): ColumnDef => ({ name: "c", type, nullable: true, ...(array ? { array } : {}) });

/** Values the type mapping produces (docs/type-mapping.md), nested as jsonb and arrays can be. */
const scalar: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(), // includes NaN, ±Infinity, -0
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ unit: "binary" }), // lone surrogates included
  fc.uint8Array({ maxLength: 20 }).map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
);
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 4 }).filter((k) => !k.startsWith("$") && !k.startsWith("_")),
      tie("v"),
      { maxKeys: 4 },
    ),
  ),
})).v;

const shuffleKeys = (v: Value, rnd: () => number): Value => {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  if (v && typeof v === "object" && !(v instanceof ArrayBuffer)) {
    const entries = Object.entries(v).sort(() => rnd() - 0.5);
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x as Value, rnd)]));
  }
  return v;
};

describe("row hash", () => {
  it("is FNV-1a 64 over UTF-8 (published test vectors)", () => {
    expect(hex("")).toBe("cbf29ce484222325");
    expect(hex("a")).toBe("af63dc4c8601ec8c");
    expect(hex("foobar")).toBe("85944171f73967e8");
    expect(fnv1a64("é€😀").bytes).toBe(2 + 3 + 4);
  });

  it("equal values ⇔ equal hash, for every value the type mapping produces", () => {
    fc.assert(
      // Half the pairs are a value and its deep copy, half independent values.
      fc.property(
        fc.oneof(
          fc.tuple(value, value),
          value.map((v) => [v, structuredClone(v)] as [Value, Value]),
        ),
        ([a, b]) => {
          expect(h(a) === h(b)).toBe(compareValues(a, b) === 0);
        },
      ),
      { numRuns: 2_000 },
    );
    // The cases that trip naive encodings.
    for (const [a, b] of [
      [0, -0],
      [1, 1n],
      ["1", 1],
      [null, "null"],
      [[], {}],
      [new ArrayBuffer(1), [0]],
      [{ a: null }, {}],
      ["\ud800", "\ufffd"],
    ] as Array<[Value, Value]>)
      expect(h(a)).not.toBe(h(b));
    expect(h(NaN)).toBe(h(Number("NaN")));
  });

  it("ignores object key order at every depth", () => {
    fc.assert(
      fc.property(value, fc.integer(), (v, seed) => {
        let s = seed;
        const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
        expect(h(shuffleKeys(v, rnd))).toBe(h(v));
      }),
    );
  });

  it("hashes PostgreSQL texts of one value alike after decodeText (jsonb key order, timestamp offsets, arrays)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 5 }).filter((k) => /^[a-z]+$/.test(k)),
          fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 5 })),
        ),
        (obj) => {
          const forward = JSON.stringify(obj);
          const backward = `{${Object.entries(obj)
            .reverse()
            .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
            .join(", ")}}`;
          expect(h(decodeText(col("jsonb"), backward))).toBe(h(decodeText(col("jsonb"), forward)));
        },
      ),
    );
    const ts = col("timestamptz");
    expect(h(decodeText(ts, "2026-11-21 12:00:00.123456+00"))).toBe(h(decodeText(ts, "2026-11-21 14:00:00.123456+02")));
    expect(h(decodeText(ts, "2026-11-21 12:00:00.123456+00"))).not.toBe(h(decodeText(ts, "2026-11-21 12:00:00.123457+00")));
    expect(h(decodeText(col("int8"), "9007199254740993"))).not.toBe(h(decodeText(col("int8"), "9007199254740992")));
    expect(h(decodeText(col("numeric"), "1.50"))).not.toBe(h(decodeText(col("numeric"), "1.5"))); // PostgreSQL keeps the scale
    expect(h(decodeText(col("bytea"), "\\xdeadbeef"))).toBe(h(decodeText(col("bytea"), "\\xDEADBEEF")));
    expect(h(decodeText(col("int4", true), "{1,NULL,3}"))).toBe(h([1, null, 3]));
  });

  it("row hashes depend on the compared columns only, and a NULL differs from a missing field", () => {
    const cols = ["a", "b"];
    expect(hashRow({ a: 1, b: null, extra: "ignored" }, cols)).toEqual(hashRow({ b: null, a: 1 }, cols));
    expect(hashHex(hashRow({ a: 1, b: null }, cols))).not.toBe(hashHex(hashRow({ a: 1 }, cols)));
  });

  it("range sums are order-independent and do not cancel duplicates", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 50 }), (texts) => {
        const a = new RangeSum();
        const b = new RangeSum();
        for (const t of texts) a.add(fnv1a64(t));
        for (const t of [...texts].reverse()) b.merge(hashHex(fnv1a64(t)), 1);
        expect([a.hex(), a.count]).toEqual([b.hex(), b.count]);
      }),
    );
    const twice = new RangeSum();
    twice.add(fnv1a64("x"));
    twice.add(fnv1a64("x"));
    expect(twice.hex()).not.toBe(new RangeSum().hex());
  });
});
