// The schema builder: validators accept exactly the decoder's values, definitions that would break the
// functions' invariants are refused, and keyString is canonical.
import fc from "fast-check";
import { convexTest } from "convex-test";
import { defineSchema } from "convex/server";
import { convexToJson, jsonToConvex, type Value } from "convex/values";
import { describe, expect, it } from "vitest";
import { internal } from "../../convex/_generated/api";
import { applyBatchHandler } from "../../src/mirror-functions/apply/apply-batch";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { keyString, mirrorTables } from "../../src/mirror-functions";
import { col, defineTable } from "../../src/definitions/define";
import { referenceTables } from "../../tables/reference";
import { language, modules, newMirror, up } from "./harness";

const everyType = defineTable({
  name: "every_type",
  primaryKey: ["id"],
  columns: {
    id: col.int8().notNull(),
    i2: col.int2().notNull(),
    f8: col.float8().notNull(),
    num: col.numeric(),
    txt: col.text(),
    b: col.bool(),
    ts: col.timestamptz(),
    d: col.date(),
    u: col.uuid(),
    e: col.enum(["a", "b"]),
    j: col.jsonb(),
    bin: col.bytea(),
    tags: col.text().asArray(),
    nums: col.int4().asArray().notNull(),
    iv: col.pgText("interval"),
    nets: col.pgText("inet").asArray(),
  },
});
const tables = [everyType];
const config = mirrorConfig(tables);
const t = () => convexTest({ schema: defineSchema(mirrorTables(tables)), modules });
const write = (d: Record<string, Value>) => t().mutation(async (ctx) => applyBatchHandler(config, ctx as any, { slot: "s", batchId: "b", ops: [up("every_type", 1n, 1n, { i2: 1, f8: 0, nums: [], ...d })] }));

describe("mirrorTables validators", () => {
  it("accept every value shape the decoder produces", async () => {
    const r = await write({
      i2: -3,
      f8: Number.NaN,
      num: "12345678901234567890.5",
      txt: "x",
      b: true,
      ts: Number.POSITIVE_INFINITY,
      d: "2024-02-29",
      u: "8d4c3c7e-0000-4000-8000-000000000000",
      e: "b",
      j: { deep: [1, { $x: null }].length, s: "é" },
      bin: new Uint8Array([0, 255]).buffer,
      tags: ["a", null],
      nums: { pg2c_text: "{1,2,3}" },
      iv: "1 day 02:00:00",
      nets: ["10.0.0.1", null],
    });
    expect(r.applied).toBe(1);
    expect((await write({ num: null, txt: null, b: null, ts: null, e: null, j: null, bin: null, tags: null })).applied).toBe(1);
  });

  it("refuse values of the wrong type", async () => {
    await expect(write({ i2: 1n })).rejects.toThrow();
    await expect(write({ e: "c" })).rejects.toThrow();
    await expect(write({ nums: null })).rejects.toThrow(); // NOT NULL array
    await expect(write({ tags: { text: "{}" } })).rejects.toThrow();
    await expect(write({ iv: 86400 })).rejects.toThrow(); // pgtext holds PostgreSQL's text, a string
    expect(everyType.columns.find((c) => c.name === "nets")).toEqual({ name: "nets", type: "pgtext", pgType: "inet", array: true, nullable: true });
  });

  it("declare the indexes the functions use and the system tables", () => {
    const schema = mirrorTables(referenceTables) as Record<string, any>;
    const indexes = (name: string) => schema[name]!.indexes.map((i: { indexDescriptor: string; fields: string[] }) => [i.indexDescriptor, i.fields]);
    expect(indexes("story")).toEqual([
      ["by_pk", ["id"]],
      ["by_pg2c_version", ["pg2c_version"]],
      ["by_image", ["image"]],
      ["by_course_id", ["course_id"]],
    ]);
    expect(
      Object.keys(schema)
        .filter((n) => n.startsWith("pg2c_"))
        .sort(),
    ).toEqual(["pg2c_carry", "pg2c_checkpoint", "pg2c_drift", "pg2c_migration", "pg2c_migration_event", "pg2c_parity_run", "pg2c_parity_table", "pg2c_reject", "pg2c_sidecar", "pg2c_table_state", "pg2c_tombstone"]);
  });

  it("refuse definitions that break the mirror's invariants", () => {
    const base = { name: "t", primaryKey: ["id"], columns: { id: col.int4().notNull(), p: col.int4() } };
    expect(() => mirrorTables([defineTable({ ...base, columns: { ...base.columns, pg2c_version: col.int8() } })])).toThrow(/reserved/);
    expect(() => mirrorTables([defineTable({ ...base, convexName: "pg2c_tombstone" })])).toThrow(/reserved/);
    const withDerivedRef = defineTable({ ...base, references: { p: "t2" }, derived: [{ kind: "lookup", field: "p", via: "p", column: "x" }] });
    const t2 = defineTable({ name: "t2", primaryKey: ["id"], columns: { id: col.int4().notNull(), x: col.int4() } });
    expect(() => mirrorTables([t2, withDerivedRef])).toThrow(/derived field cannot be a primary-key or reference column/);
  });
});

describe("keyString", () => {
  it("is canonical: equal keys give equal strings, 1 and 1n differ", () => {
    expect(keyString([1])).not.toBe(keyString([1n]));
    expect(keyString(["a", 2])).toBe('["a",2]');
    const valueArb = fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string(), fc.boolean(), fc.constant(null), fc.double());
    fc.assert(
      fc.property(fc.array(valueArb, { maxLength: 3 }), (key) => {
        const roundTripped = key.map((v) => jsonToConvex(convexToJson(v)));
        expect(keyString(roundTripped)).toBe(keyString(key));
      }),
    );
  });
});

describe("convex/_generated", () => {
  it("resolves internal.mirror.* to the registered functions", async () => {
    const m = newMirror();
    await m.mutation(internal.mirror.applyBatch, { slot: "s1", batchId: "g", ops: [language(1, "a", 1n)] });
    expect(await m.query(internal.mirror.countRows, { table: "language" })).toMatchObject({ count: 1, isDone: true });
  });
});
