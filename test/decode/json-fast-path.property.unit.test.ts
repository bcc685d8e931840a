// The JSON.parse path for json/jsonb column values (src/decode/values/json.ts) against the lossless-json path:
// any JSON text, with any number tokens (beyond 2^53, trailing zeros, -0, exponents, 1e400), repeated keys
// (equal or not), keys Convex refuses, lone surrogates, wrapper-shaped objects and odd spacing, decodes to the
// same value, value types and -0 included. Where the JSON.parse path answers at all, its answer is the lossless one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJson, decodeJsonByJsonParse, decodeJsonLosslessly, scanJson } from "../../src/decode/values/json";
import { MAX_FIELD_NESTING } from "../../src/decode/values/limits";

const numberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom("0", "-0", "1.0", "1.50", "0.10", "1e2", "1E+2", "-1e-7", "1e400", "-1e400", "9007199254740993", "123456789012345", "1234567890123456", "0.1", "2.5e-324", "-0.0", "100"),
);
const stringText = fc.oneof(
  fc.string({ unit: "binary" }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\ud800"', '"a\\"b: 1.50"', '":"', '"\\\\"', '"\\u0041"', '"1.50"'),
);
const key = fc.constantFrom("a", "b", "a", "c d", "_id", "$x", "", "pg2c_text", "é", "__proto__", "1", "x:1");
const space = fc.constantFrom("", "", " ", "\n", "\t ");

const { tree } = fc.letrec<{ tree: string; leaf: string; arr: string; obj: string }>((tie) => ({
  tree: fc.oneof({ depthSize: "small", maxDepth: 5 }, tie("leaf"), tie("arr"), tie("obj")),
  leaf: fc.oneof(numberText, numberText, stringText, fc.constantFrom("null", "true", "false")),
  arr: fc.tuple(fc.array(tie("tree"), { maxLength: 4 }), space).map(([items, s]) => `[${s}${items.join(`,${s}`)}]`),
  obj: fc.tuple(fc.array(fc.tuple(key, tie("tree")), { maxLength: 4 }), space).map(([members, s]) => `{${s}${members.map(([k, v]) => `${JSON.stringify(k)}${s}:${s}${v}`).join(",")}}`),
}));

/** A value with its types, so 1 and -0 and 0 are told apart. */
function tagged(v: unknown): unknown {
  if (typeof v === "number") return { number: Object.is(v, -0) ? "-0" : String(v) };
  if (Array.isArray(v)) return v.map(tagged);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tagged(x)]));
  return v;
}

describe("the JSON.parse path for json values", () => {
  it("decodes every text exactly as the lossless path does", () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(tree, (text) => {
        runs++;
        const scan = scanJson(text)!;
        expect(scan).toBeDefined();
        const lossless = scan.depth > MAX_FIELD_NESTING ? undefined : decodeJsonLosslessly(text);
        if (scan.depth <= MAX_FIELD_NESTING) expect(tagged(decodeJson(text, MAX_FIELD_NESTING))).toEqual(tagged(lossless));
        const fast = scan.plainNumbers ? decodeJsonByJsonParse(text, scan.members) : undefined;
        if (fast !== undefined) {
          answered++;
          expect(tagged(fast)).toEqual(tagged(lossless));
        }
      }),
      { numRuns: 5000 },
    );
    // Not vacuous: the JSON.parse path answers for a good share of the texts.
    expect(answered / runs).toBeGreaterThan(0.2);
  });

  it("leaves to the lossless path each text JSON.parse would get wrong", () => {
    const cases: Array<[string, unknown]> = [
      ['{"a": 1, "a": 2}', { pg2c_text: '{"a": 1, "a": 2}' }],
      ['{"a": 1, "a": 1}', { a: 1 }],
      ["[9007199254740993]", { pg2c_text: "[9007199254740993]" }],
      ['{"n": 1.0}', { n: 1 }],
      ["[-0]", [-0]],
      ['{"b": 1e400}', { pg2c_text: '{"b": 1e400}' }],
      ['{"s": "x\\": 9007199254740993"}', { s: 'x": 9007199254740993' }],
    ];
    for (const [text, expected] of cases) {
      expect(tagged(decodeJson(text, MAX_FIELD_NESTING)), text).toEqual(tagged(expected));
      expect(tagged(decodeJson(text, MAX_FIELD_NESTING)), text).toEqual(tagged(decodeJsonLosslessly(text)));
    }
    // And the JSON.parse path itself declines them rather than answering differently.
    expect(decodeJsonByJsonParse('{"a": 1, "a": 2}', 2)).toBeUndefined();
    expect(scanJson("[9007199254740993]")!.plainNumbers).toBe(false);
    expect(scanJson('{"n": 1.0}')!.plainNumbers).toBe(false);
    expect(scanJson("[-0]")!.plainNumbers).toBe(false);
    expect(scanJson('{"s": "x\\": 9007199254740993"}')).toEqual({ depth: 1, members: 1, plainNumbers: true });
  });

  it("counts nesting outside strings and refuses unbalanced text", () => {
    expect(scanJson('[{"a": "[[[{"}]')).toEqual({ depth: 2, members: 1, plainNumbers: true });
    expect(scanJson("[[1]")).toBeUndefined();
    expect(scanJson('"abc')).toBeUndefined();
    expect(scanJson("]")).toBeUndefined();
  });
});
