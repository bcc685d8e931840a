// src/model/key.ts is the one key module. keyString's bytes are persisted in Convex (tombstones, carries,
// rejects and their by_table_key indexes), so they are pinned here; and every way keys were turned into
// strings before it (copied below as they were) must compare keys exactly as it does now.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareValues, convexToJson, type Value } from "convex/values";
import { defineTable, col } from "../../src/definitions/define";
import { encodeValue } from "../../src/mirror-functions/parity/row-hash";
import { compareKeys, keyOfDoc, keyString, rowId, rowIdOfString, viaId, type Key } from "../../src/model/key";

// The definitions this module replaced, verbatim.
const before = {
  /** mirror-functions/names.ts keyString (also parity/keys.ts keyId). */
  keyString: (key: readonly Value[]) => JSON.stringify(key.map((v) => convexToJson(v))),
  /** plan/collapse.ts keyText. */
  keyText: (key: Key) => JSON.stringify(convexToJson(key as Value[])),
  /** test/support/oracle/full-compare.ts keyOf (row-hash's encoding of the key values). */
  oracleKeyOf: (key: readonly Value[]) => encodeValue(key as Value[]),
};

const bytes = (xs: readonly number[]) => new Uint8Array(xs).buffer;
/** A NaN whose payload is not the one JavaScript's NaN has. */
const payloadNaN = (payload: number) => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, payload, true);
  dv.setUint32(4, 0x7ff80000, true);
  return dv.getFloat64(0, true);
};

const fieldName = fc.string({ unit: "grapheme-ascii", maxLength: 4 }).filter((k) => !k.startsWith("$"));
const leaf: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.constantFrom(NaN, -0, 0, Infinity, -Infinity),
  fc.integer({ min: 1, max: 0x7ffff }).map(payloadNaN),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ unit: "binary" }),
  fc.uint8Array({ maxLength: 8 }).map((a) => bytes([...a])),
);
const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(fieldName, tie("value"), { maxKeys: 3 })),
}));
const anyKey = fc.array(value, { maxLength: 3 });

describe("keyString", () => {
  it("keeps the bytes Convex stores today", () => {
    const pinned: Array<[Value[], string]> = [
      [[1], "[1]"],
      [[1n], '[{"$integer":"AQAAAAAAAAA="}]'],
      [[-(2n ** 63n)], '[{"$integer":"AAAAAAAAAIA="}]'],
      [[NaN], '[{"$float":"AAAAAAAA+H8="}]'],
      [[-0], '[{"$float":"AAAAAAAAAIA="}]'],
      [[-Infinity], '[{"$float":"AAAAAAAA8P8="}]'],
      [["fr", 3n], '["fr",{"$integer":"AwAAAAAAAAA="}]'],
      [[null, true, false], "[null,true,false]"],
      [[bytes([0xde, 0xad])], '[{"$bytes":"3q0="}]'],
      [[{ b: 1n, a: [bytes([1])] }], '[{"a":[{"$bytes":"AQ=="}],"b":{"$integer":"AQAAAAAAAAA="}}]'],
      [["\u0000é😀"], '["\\u0000é😀"]'],
      [[], "[]"],
    ];
    for (const [key, text] of pinned) expect(keyString(key)).toBe(text);
  });

  it("is what keyString, keyId and keyText gave for every Convex value", () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        expect(keyString(key)).toBe(before.keyString(key));
        expect(keyString(key)).toBe(before.keyText(key));
      }),
      { numRuns: 2000 },
    );
  });

  // The whole-table oracle matched rows by row-hash's encoding. Over the values PostgreSQL rows decode to
  // and Convex stores, equal there ⇔ equal keyString, so the oracle pairs the same rows as before.
  it("pairs keys as the oracle's keyOf did", () => {
    const small: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom<Value>(0, -0, 1, 1.5, NaN, Infinity, -Infinity, 0n, 1n, -1n, "", "1", "a", "\u0000", null, true, false),
        fc.constantFrom([], [0], [1]).map(bytes),
        fc.array(tie("v"), { maxLength: 2 }),
        fc.dictionary(fc.constantFrom("a", "b"), tie("v"), { maxKeys: 2 }),
      ),
    })).v;
    fc.assert(
      fc.property(fc.array(fc.array(small, { maxLength: 2 }), { minLength: 2, maxLength: 12 }), (keys) => {
        const pool = [...keys, ...keys.map(reordered)];
        const now = pool.map((k) => keyString(k));
        const then = pool.map((k) => before.oracleKeyOf(k));
        const disagree = pool.flatMap((a, i) => pool.filter((_b, j) => (now[i] === now[j]) !== (then[i] === then[j])).map((b) => [a, b]));
        expect(disagree).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("tells NaN payloads apart, which the oracle's encoding did not (neither side of the oracle makes one)", () => {
    expect(keyString([payloadNaN(1)])).not.toBe(keyString([NaN]));
    expect(before.oracleKeyOf([payloadNaN(1)])).toBe(before.oracleKeyOf([NaN]));
  });
});

describe("ids joining a table to a key", () => {
  it("are the ad-hoc `${table}\\u0000${…}` joins they replace", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), anyKey, (table, via, key) => {
        expect(rowId(table, key)).toBe(`${table}\u0000${before.keyText(key)}`);
        expect(rowIdOfString(table, before.keyString(key))).toBe(`${table}\u0000${before.keyString(key)}`);
        expect(viaId(table, via, key)).toBe(`${table}\u0000${via}\u0000${before.keyString(key)}`);
      }),
    );
  });

  it("tell rows of different tables, and the keys 1 and 1n, apart", () => {
    expect(new Set([rowId("story", [1]), rowId("story", [1n]), rowId("course", [1]), viaId("story", "course_id", [1])]).size).toBe(4);
  });
});

describe("keyOfDoc", () => {
  it("reads the primary key in primary-key column order, a missing field as null", () => {
    const def = defineTable({ name: "t", primaryKey: ["b", "a"], columns: { a: col.int8().notNull(), b: col.text().notNull(), c: col.int4() } });
    expect(keyOfDoc(def, { c: 1, a: 2n, b: "x" })).toEqual(["x", 2n]);
    expect(keyOfDoc(def, { a: 2n })).toEqual([null, 2n]);
  });
});

describe("src/model/key.ts", () => {
  it("is importable from Convex functions: no runtime import but convex/values", () => {
    const source = readFileSync(new URL("../../src/model/key.ts", import.meta.url), "utf8");
    const runtime = [...source.matchAll(/^import\s+(?!type\b)(?:[^;]*?from\s+)?"([^"]+)"/gm)].map((m) => m[1]);
    expect(runtime).toEqual(["convex/values"]);
  });
});

/** A structurally equal copy whose objects list their fields in reverse order. */
function reordered<T extends Value>(v: T): T {
  if (Array.isArray(v)) return v.map(reordered) as T;
  if (v === null || typeof v !== "object" || v instanceof ArrayBuffer) return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reordered(x as Value)]),
  ) as T;
}

describe("one-integer keys take a shortcut that changes nothing", () => {
  const value = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(0, -0, NaN, 1.5, 2 ** 53, -(2 ** 53), Infinity, 1n, 0n), fc.double(), fc.string({ maxLength: 3 }));
  const key = fc.oneof(
    value.map((v) => [v]),
    fc.tuple(value, value),
  );
  it("compareKeys orders as compareValues and keyString prints as JSON of convexToJson", () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(compareValues(a, b)));
        expect(keyString(a)).toBe(JSON.stringify(a.map((v) => convexToJson(v))));
      }),
      { numRuns: 20_000 },
    );
  });
});
