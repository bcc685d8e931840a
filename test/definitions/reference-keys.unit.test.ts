// A reference between columns of different types: integers convert exactly (never rounded, never truncated),
// every other pair of different types is refused when the definitions are checked.
import { describe, expect, it } from "vitest";
import { col, defineTable, type ColumnBuilder } from "../../src/definitions/define";
import { buildGraph } from "../../src/definitions/graph";
import { referenceKeys } from "../../src/definitions/reference-keys";
import { Pg2ConvexError } from "../../src/errors";

const pair = (childCol: ColumnBuilder, parentKey: ColumnBuilder) => {
  const parent = defineTable({ name: "p", primaryKey: ["id"], columns: { id: parentKey.notNull() } });
  const child = defineTable({ name: "c", primaryKey: ["id"], columns: { id: col.int4().notNull(), p_id: childCol }, references: { p_id: "p" } });
  return { parent, child, ref: child.references[0]! };
};
const keysOf = (childCol: ColumnBuilder, parentKey: ColumnBuilder) => {
  const { parent, child, ref } = pair(childCol, parentKey);
  return referenceKeys(child, ref, parent);
};

describe("reference keys across integer types", () => {
  it("turns an int4 child value into an int8 key and back", () => {
    const k = keysOf(col.int4(), col.int8());
    expect(k.toParent(5)).toBe(5n);
    expect(k.toParent(-2147483648)).toBe(-2147483648n);
    expect(k.toChild(5n)).toBe(5);
    // An int8 key beyond int4: no child can hold it (not 1, as 32-bit truncation would give).
    expect(k.toChild(2n ** 32n + 1n)).toBeNull();
    expect(k.toChild(2n ** 31n)).toBeNull();
    expect(k.toChild(-(2n ** 31n))).toBe(-2147483648);
  });

  it("turns an int8 child value into an int4 or int2 key only when that type holds it", () => {
    const k = keysOf(col.int8(), col.int4());
    expect(k.toParent(7n)).toBe(7);
    expect(k.toParent(2n ** 31n - 1n)).toBe(2147483647);
    expect(k.toParent(2n ** 31n)).toBeNull();
    expect(k.toParent(2n ** 53n + 1n)).toBeNull(); // never the rounded 2^53
    expect(k.toParent(2n ** 63n - 1n)).toBeNull();
    expect(k.toChild(7)).toBe(7n);
    const k2 = keysOf(col.int8(), col.int2());
    expect(k2.toParent(32767n)).toBe(32767);
    expect(k2.toParent(32768n)).toBeNull();
  });

  it("leaves same-representation pairs as they are", () => {
    for (const [c, p] of [
      [col.int4(), col.int4()],
      [col.int2(), col.int4()],
      [col.int8(), col.int8()],
      [col.text(), col.text()],
    ] as const) {
      const k = keysOf(c, p);
      expect(k.toParent(3)).toBe(3);
      expect(k.toChild("a")).toBe("a");
    }
  });
});

describe("definition checks for reference types", () => {
  it("accepts every pair of integer types", () => {
    const ints = [col.int2, col.int4, col.int8];
    for (const c of ints)
      for (const p of ints) {
        const { parent, child } = pair(c(), p());
        expect(() => buildGraph([parent, child])).not.toThrow();
      }
  });

  it.each([
    ["int4", "numeric", col.int4(), col.numeric()],
    ["numeric", "int8", col.numeric(), col.int8()],
    ["text", "uuid", col.text(), col.uuid()],
    ["date", "timestamptz", col.date(), col.timestamptz()],
    ["float4", "float8", col.float4(), col.float8()],
    ["int4[]", "int4", col.int4().asArray(), col.int4()],
    ["citext", "text", col.pgText("citext"), col.text()],
  ])("refuses %s → %s, naming table, column, both types and the fix", (ct, pt, c, p) => {
    const { parent, child } = pair(c, p);
    try {
      buildGraph([parent, child]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Pg2ConvexError);
      expect((e as Pg2ConvexError).code).toBe("CONFIG_INVALID");
      const msg = (e as Error).message;
      expect(msg).toContain(`c.p_id (${ct}) references p.id (${pt})`);
      expect(msg).toContain("ALTER TABLE c ALTER COLUMN p_id TYPE");
      expect(msg).toContain("remove p_id from the references of c");
    }
  });
});
