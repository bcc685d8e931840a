// size.ts is Convex's own size function, only faster: equal to getConvexSize / getDocumentSize for any value,
// strings longer than the library's 500-unit threshold and lone surrogates included, so DOCUMENT_TOO_LARGE
// rejects and the batch byte budget decide exactly as before.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getConvexSize, getDocumentSize, type Value } from "convex/values";
import { valueSize } from "../../src/plan/size";
import { guardStorable } from "../../src/plan/storable";
import type { Op } from "../../src/mirror-functions/wire/protocol";

const str = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "binary", minLength: 480, maxLength: 700 }), fc.constantFrom("\ud800", "a\ud800", "\udc00x", "é".repeat(501)));
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.bigInt(),
    str,
    fc.uint8Array({ maxLength: 40 }).map((a) => a.buffer as ArrayBuffer),
    fc.array(tie("v"), { maxLength: 5 }),
    fc.dictionary(str, tie("v"), { maxKeys: 5 }),
  ),
})).v;

describe("valueSize", () => {
  it("equals getConvexSize", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(valueSize(v)).toBe(getConvexSize(v));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives guardStorable Convex's argument and document sizes", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), value, { maxKeys: 8 }), fc.boolean(), (d, partial) => {
        const op: Op = { o: "upsert", t: "t", k: [1], ver: 5n, d, ...(partial ? { partial: true } : {}) };
        const big = getDocumentSize(d) + 4 * 1024 > 1024 * 1024;
        const { op: out, bytes } = guardStorable(op);
        expect(out.o).toBe(big ? "reject" : "upsert");
        expect(bytes).toBe(getConvexSize(out as unknown as Value));
      }),
      { numRuns: 500 },
    );
  });
});
