// The patched convex-test (src/local-convex/fast-convex-test.ts) against stock convex-test: the same
// random programs (writes, nested and rolled-back mutations, index/range/scan queries) must produce
// identical logs and final states; plus the key function's contract and the loader's refusals.
import { convexTest } from "convex-test";
import { compareValues, type Value } from "convex/values";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Pg2ConvexError } from "../../src/errors";
import { EXPECTED_CONVEX_TEST_VERSION, loadFastConvexTest, patchSource } from "../../src/local-convex/fast-convex-test";
import { sortedMerge, valueKey } from "../../src/local-convex/fast-index";
import { modules, programArb, runProgram, schema } from "./diff-program";

describe("patched convex-test", () => {
  it("is a different module from stock convex-test", async () => {
    expect(await loadFastConvexTest()).not.toBe(convexTest);
  });

  it("returns exactly what stock convex-test returns for random programs", async () => {
    const fast = await loadFastConvexTest();
    await fc.assert(
      fc.asyncProperty(programArb, async (program) => {
        const expected = await runProgram(convexTest({ schema, modules }), program);
        const actual = await runProgram(fast({ schema, modules }), program);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("returns what stock returns when commits are merged into its sorted caches by copy rather than in place", async () => {
    const fast = await loadFastConvexTest();
    const spliceMax = sortedMerge.spliceMax;
    sortedMerge.spliceMax = 0;
    try {
      await fc.assert(
        fc.asyncProperty(programArb, async (program) => {
          expect(await runProgram(fast({ schema, modules }), program)).toEqual(await runProgram(convexTest({ schema, modules }), program));
        }),
        { numRuns: 100 },
      );
    } finally {
      sortedMerge.spliceMax = spliceMax;
    }
  }, 120_000);

  it("keys values so that Convex-equal values share a key and unequal ones (bar NaN payloads) do not", () => {
    const leaf = fc.oneof(
      fc.constantFrom<Value | undefined>(undefined, null, 0, -0, NaN, Infinity, true, false, "", 0n),
      fc.double(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.string({ maxLength: 3, unit: "binary" }),
      fc.uint8Array({ maxLength: 3 }).map((a) => a.slice().buffer as Value),
    );
    const value = fc.letrec<{ v: Value | undefined }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(
          tie("v").filter((x) => x !== undefined),
          { maxLength: 3 },
        ),
        fc.dictionary(fc.constantFrom("a", "b", "x"), tie("v"), { maxKeys: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, value, (a, b) => {
        const equal = compareValues(a as Value, b as Value) === 0;
        if (equal) expect(valueKey(a)).toBe(valueKey(b));
        else if (valueKey(a) === valueKey(b)) expect(JSON.stringify([a, b], (_k, x) => (typeof x === "number" && Number.isNaN(x) ? "NaN" : typeof x === "bigint" ? `${x}n` : x))).toMatch(/NaN/);
      }),
      { numRuns: 2_000 },
    );
    const payloadNaN = new DataView(new BigUint64Array([0x7ff8000000000001n]).buffer).getFloat64(0, true);
    expect(valueKey(payloadNaN)).toBe(valueKey(NaN)); // coarser than compareValues: allowed, candidates are re-checked
  });

  it("refuses another convex-test version and a changed source, naming the anchor", () => {
    const entry = import.meta.resolve("convex-test");
    const source = readFileSync(fileURLToPath(entry), "utf8");
    expect(() => patchSource(source, entry, EXPECTED_CONVEX_TEST_VERSION)).not.toThrow();
    expect(() => patchSource(source, entry, "0.0.61")).toThrow(/installed version is 0\.0\.61.*written for convex-test 0\.0\.60/);
    const changed = source.replace("this._writes[this._writes.length - 1][id] = newValue;", "this._writes.at(-1)[id] = newValue;");
    let err: unknown;
    try {
      patchSource(changed, entry, EXPECTED_CONVEX_TEST_VERSION);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect((err as Error).message).toContain('anchor "_addWrite: record the write per level" not found');
  });
});
