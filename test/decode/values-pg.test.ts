// decodeText against PostgreSQL's own text output (`SELECT value::type::text`, the backfill path), with
// fast-check generating the values: the mapping must agree with what PostgreSQL means by its text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeText } from "../../src/decode";
import type { ColumnDef, PgScalarType } from "../../src/definitions/types";
import { createTestDatabase, type TestDatabase } from "../support/pg";

const col = (type: PgScalarType, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name: "c", type, nullable: true, ...extra });

let db: TestDatabase;
const one = async (sql: string, params: unknown[] = []) => (await db.client.query(sql, params)).rows[0];

beforeAll(async () => {
  db = await createTestDatabase("dec_values");
  await db.client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET bytea_output = 'hex'");
});
afterAll(async () => db.drop());

const floatText = (d: number) => (Object.is(d, -0) ? "-0" : String(d));

describe("numbers as PostgreSQL prints them", () => {
  it("float8 and float4", async () => {
    await fc.assert(
      fc.asyncProperty(fc.double(), async (d) => {
        const r = await one("SELECT $1::float8::text AS f8, $1::float4::text AS f4, $1::float4::float8 AS f4wide", [floatText(d)]).catch(() => undefined);
        if (!r) return; // float4 overflow: not a float4 value
        expect(Object.is(decodeText(col("float8"), r.f8), d)).toBe(true);
        // float4 text is its shortest exact decimal: decoding gives the float8 of that text.
        expect(decodeText(col("float4"), r.f4)).toBe(Number(r.f4));
      }),
    );
  });

  it("int8 and numeric keep every digit", async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.nat(40), async (n, scale) => {
        const r = await one(`SELECT $1::int8::text AS i, ($1::numeric / 10 ^ $2::int)::numeric(80, ${scale})::text AS n`, [String(n), scale]);
        expect(decodeText(col("int8"), r.i)).toBe(n);
        expect(decodeText(col("numeric"), r.n)).toBe(r.n);
      }),
    );
    const r = await one("SELECT 'NaN'::numeric::text AS a, 'Infinity'::numeric::text AS b, '-Infinity'::numeric::text AS c, 1.50::numeric::text AS d");
    expect([r.a, r.b, r.c, r.d].map((t: string) => decodeText(col("numeric"), t))).toEqual(["NaN", "Infinity", "-Infinity", "1.50"]);
  });
});

describe("timestamps and dates", () => {
  // Zones whose offsets print as +00, +05:30, -08, +13:45, -03:30 and, for old dates, LMT seconds (+00:19:32).
  const zones = ["UTC", "Asia/Kolkata", "America/Los_Angeles", "Pacific/Chatham", "America/St_Johns", "Europe/Amsterdam"];
  const stamp = fc.record({
    year: fc.oneof(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 1, max: 4713 }).map((y) => -y),
      fc.integer({ min: 10000, max: 294000 }),
    ),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    secondOfDay: fc.integer({ min: 0, max: 86399 }),
    micros: fc.integer({ min: 0, max: 999999 }),
    zone: fc.constantFrom(...zones),
  });
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");

  it("timestamptz and timestamp are epoch milliseconds with microseconds as the fraction", async () => {
    await fc.assert(
      fc.asyncProperty(stamp, async (s) => {
        const s3 = s.secondOfDay;
        const text = `${pad(Math.abs(s.year), 4)}-${pad(s.month)}-${pad(s.day)} ${pad(Math.floor(s3 / 3600))}:${pad(Math.floor(s3 / 60) % 60)}:${pad(s3 % 60)}.${pad(s.micros, 6)}${s.year < 0 ? " BC" : ""}`;
        await db.client.query(`SET TimeZone = '${s.zone}'`);
        const r = await one(
          `SELECT $1::timestamptz::text AS tz, (extract(epoch FROM $1::timestamptz) * 1000000)::bigint::text AS tz_us,
                  $1::timestamp::text AS ts, (extract(epoch FROM $1::timestamp) * 1000000)::bigint::text AS ts_us`,
          [text],
        );
        expect(decodeText(col("timestamptz"), r.tz)).toBe(Number(BigInt(r.tz_us)) / 1000);
        expect(decodeText(col("timestamp"), r.ts)).toBe(Number(BigInt(r.ts_us)) / 1000);
      }),
    );
    await db.client.query("SET TimeZone = 'UTC'");
  });

  it("round-trips microseconds for present-day timestamps", async () => {
    const r = await one("SELECT '2026-11-21 13:49:06.929411+00'::timestamptz::text AS t");
    const ms = decodeText(col("timestamptz"), r.t) as number;
    expect(Math.round(ms * 1000)).toBe(Date.UTC(2026, 10, 21, 13, 49, 6) * 1000 + 929411);
  });

  it("infinity and dates come back as PostgreSQL prints them", async () => {
    const r = await one("SELECT 'infinity'::timestamptz::text AS a, '-infinity'::timestamp::text AS b, '0044-03-15 BC'::date::text AS c, 'infinity'::date::text AS d, '5874897-12-31'::date::text AS e");
    expect(decodeText(col("timestamptz"), r.a)).toBe(Infinity);
    expect(decodeText(col("timestamp"), r.b)).toBe(-Infinity);
    expect([r.c, r.d, r.e].map((t: string) => decodeText(col("date"), t))).toEqual(["0044-03-15 BC", "infinity", "5874897-12-31"]);
  });
});

describe("text-like values, bytea and arrays", () => {
  const unicode = fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\u0000"));

  it("text[] literals parse back to the original elements", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(unicode, { nil: null })), async (items) => {
        const r = await one("SELECT $1::text[]::text AS t", [items]);
        expect(decodeText(col("text", { array: true }), r.t)).toEqual(items);
      }),
    );
  });

  it("bytea and bytea[]", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        const r = await one("SELECT $1::bytea::text AS b, ARRAY[$1::bytea, NULL]::text AS a", [Buffer.from(bytes)]);
        expect(new Uint8Array(decodeText(col("bytea"), r.b) as ArrayBuffer)).toEqual(bytes);
        const [first, second] = decodeText(col("bytea", { array: true }), r.a) as [ArrayBuffer, null];
        expect(new Uint8Array(first)).toEqual(bytes);
        expect(second).toBeNull();
      }),
    );
  });

  it("float8[] with specials, uuid, bool", async () => {
    const r = await one("SELECT '{NaN,Infinity,-Infinity,NULL,-0,1e-7}'::float8[]::text AS f, gen_random_uuid()::text AS u, true::text AS t");
    expect(decodeText(col("float8", { array: true }), r.f)).toEqual([NaN, Infinity, -Infinity, null, -0, 1e-7]);
    expect(decodeText(col("uuid"), r.u)).toBe(r.u);
    expect(decodeText(col("bool"), r.t)).toBe(true);
  });
});

describe("json and jsonb", () => {
  // Keys Convex accepts; the wrapper rules for the others are covered in values.test.ts.
  const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9 _.-]{0,12}$/);
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: "small", maxDepth: 6 }, tie("leaf"), tie("arr"), tie("obj")),
    leaf: fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\u0000")),
    ),
    arr: fc.array(tie("tree"), { maxLength: 5 }),
    obj: fc.dictionary(key, tie("tree"), { maxKeys: 5 }),
  }));

  it("a storable value decodes to itself from both json and jsonb text", async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (v) => {
        const r = await one("SELECT $1::jsonb::text AS b, $1::json::text AS j", [JSON.stringify(v)]);
        // -0 prints as 0 in jsonb; JSON has no -0 either.
        const expected = JSON.parse(JSON.stringify(v));
        expect(decodeText(col("jsonb"), r.b)).toEqual(expected);
        expect(decodeText(col("json"), r.j)).toEqual(expected);
      }),
    );
  });

  it("big jsonb numbers and $ keys are wrapped with PostgreSQL's exact text", async () => {
    const r = await one(`SELECT '{"$c": 1}'::jsonb::text AS a, '[123456789012345678, 1.0]'::jsonb::text AS b, '{"b": 1e400}'::jsonb::text AS c`);
    for (const t of [r.a, r.b, r.c]) expect(decodeText(col("jsonb"), t)).toEqual({ pg2c_text: t });
  });
});
