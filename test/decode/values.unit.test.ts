// decodeText and the wal2json token funnel, without a database: the strictness and the pg2c_text rules.
// The same mapping is checked against PostgreSQL's own output in values-pg.test.ts.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LosslessNumber } from "lossless-json";
import { decodeText, decodeWal2jsonValue, isWrappedText } from "../../src/decode";
import { Pg2ConvexError } from "../../src/errors";
import type { ColumnDef, PgScalarType } from "../../src/definitions/types";

const col = (type: PgScalarType, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name: "c", type, nullable: true, ...extra });

function decodeError(run: () => unknown): Pg2ConvexError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(Pg2ConvexError);
    expect((e as Pg2ConvexError).code).toBe("DECODE_FAILED");
    expect((e as Pg2ConvexError).context.column).toBe("c");
    return e as Pg2ConvexError;
  }
  throw new Error("expected a DECODE_FAILED error");
}

describe("integers", () => {
  it("int2/int4 are numbers, int8 is a bigint, exactly", () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => decodeText(col("int4"), String(n)) === n));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => decodeText(col("int8"), String(n)) === n));
    expect(decodeText(col("int8"), "9007199254740993")).toBe(9007199254740993n);
    expect(decodeText(col("int2"), "-32768")).toBe(-32768);
  });

  it("rejects text PostgreSQL cannot print for the type", () => {
    for (const t of ["", " 1", "1.0", "0x10", "1e3", "NaN"]) decodeError(() => decodeText(col("int4"), t));
    decodeError(() => decodeText(col("int2"), "32768"));
    decodeError(() => decodeText(col("int8"), "9223372036854775808"));
  });
});

describe("floats and numeric", () => {
  it("float8 text round-trips every double, including -0 and the specials", () => {
    fc.assert(fc.property(fc.double(), (d) => Object.is(decodeText(col("float8"), Object.is(d, -0) ? "-0" : String(d)), d)));
    expect(decodeText(col("float4"), "1.1")).toBe(1.1);
    expect(decodeText(col("float8"), "-Infinity")).toBe(-Infinity);
    for (const t of ["", "0x10", "inf", "1,5", "toString"]) decodeError(() => decodeText(col("float8"), t));
  });

  it("numeric keeps PostgreSQL's text, scale and specials included", () => {
    for (const t of ["1.50", "-0.000100", "123456789012345678901234567890.123450", "NaN", "Infinity", "-Infinity"]) {
      expect(decodeText(col("numeric"), t)).toBe(t);
    }
    for (const t of ["1e5", "", "toString", ".5"]) decodeError(() => decodeText(col("numeric"), t));
  });

  it("wal2json bare numbers keep their exact text", () => {
    expect(decodeWal2jsonValue(col("int8"), new LosslessNumber("9007199254740993"))).toBe(9007199254740993n);
    expect(decodeWal2jsonValue(col("numeric"), new LosslessNumber("0.10000000000000000000001"))).toBe("0.10000000000000000000001");
    expect(decodeWal2jsonValue(col("float8"), new LosslessNumber("1.5e+300"))).toBe(1.5e300);
  });
});

describe("other scalars", () => {
  it("bool, uuid, enum, text", () => {
    expect([decodeText(col("bool"), "t"), decodeText(col("bool"), "false")]).toEqual([true, false]);
    expect(decodeWal2jsonValue(col("bool"), true)).toBe(true);
    decodeError(() => decodeText(col("bool"), "yes"));
    expect(decodeText(col("uuid"), "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    decodeError(() => decodeText(col("uuid"), "a0eebc99"));
    const e = col("enum", { enumValues: ["MALE", "FEMALE"] });
    expect(decodeText(e, "MALE")).toBe("MALE");
    expect(decodeError(() => decodeText(e, "male")).message).toMatch(/not a label of the enum \(MALE, FEMALE\)/);
    expect(decodeText(col("text"), "")).toBe("");
    expect(decodeText(col("text"), null)).toBeNull();
  });

  it("bytea hex from ::text ('\\x…') and from wal2json (bare hex)", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        const hex = Buffer.from(bytes).toString("hex");
        const a = new Uint8Array(decodeText(col("bytea"), `\\x${hex}`) as ArrayBuffer);
        const b = new Uint8Array(decodeWal2jsonValue(col("bytea"), hex) as ArrayBuffer);
        return Buffer.from(a).equals(Buffer.from(bytes)) && Buffer.from(b).equals(Buffer.from(bytes));
      }),
    );
    expect(decodeError(() => decodeText(col("bytea"), "\\336\\255")).fix).toMatch(/bytea_output=hex/);
    decodeError(() => decodeText(col("bytea"), "\\xabc"));
  });

  it("timestamps: ISO text with any offset, infinity, BC; dates as printed", () => {
    expect(decodeText(col("timestamptz"), "2026-11-21 13:49:06.92941+00")).toBe(Date.UTC(2026, 10, 21, 13, 49, 6) + 929.41);
    expect(decodeText(col("timestamptz"), "2026-11-21 19:19:06+05:30")).toBe(Date.UTC(2026, 10, 21, 13, 49, 6));
    expect(decodeText(col("timestamptz"), "2026-11-21 05:49:06-08")).toBe(Date.UTC(2026, 10, 21, 13, 49, 6));
    expect(decodeText(col("timestamptz"), "1900-01-01 00:00:00+00:19:32")).toBe(Date.UTC(1900, 0, 1) - (19 * 60 + 32) * 1000);
    expect(decodeText(col("timestamptz"), "infinity")).toBe(Infinity);
    expect(decodeText(col("timestamp"), "-infinity")).toBe(-Infinity);
    expect(decodeText(col("timestamp"), "1970-01-01 00:00:00.000001")).toBe(0.001);
    // 1 BC is astronomical year 0; JavaScript's Date agrees on the proleptic Gregorian calendar.
    expect(decodeText(col("timestamp"), "0001-01-01 00:00:00 BC")).toBe(new Date("0000-01-01T00:00:00Z").getTime());
    // timestamptz text always has an offset and timestamp text never does: a mismatch is a type change.
    decodeError(() => decodeText(col("timestamptz"), "2026-11-21 13:49:06"));
    decodeError(() => decodeText(col("timestamp"), "2026-11-21 13:49:06+00"));
    expect(decodeError(() => decodeText(col("timestamptz"), "Sat Nov 21 13:49:06 2026 UTC")).fix).toMatch(/DateStyle=ISO/);
    expect(decodeText(col("date"), "0044-03-15 BC")).toBe("0044-03-15 BC");
    expect(decodeText(col("date"), "infinity")).toBe("infinity");
    decodeError(() => decodeText(col("date"), "11/21/2026"));
  });
});

describe("json and the pg2c_text wrapper", () => {
  const json = (text: string) => decodeText(col("jsonb"), text);
  const wrapped = (text: string) => expect(json(text)).toEqual({ pg2c_text: text });
  const nest = (n: number) => "[".repeat(n) + "]".repeat(n);

  it("stores storable JSON as the same value, numbers as exact float64s", () => {
    expect(json('{"a": [1, 2.5, "x", true, null], "b": {"c": 0.1}}')).toEqual({ a: [1, 2.5, "x", true, null], b: { c: 0.1 } });
    expect(json("1.0")).toBe(1);
    expect(json("9007199254740992")).toBe(2 ** 53);
    expect(json('"str"')).toBe("str");
    expect(json(nest(15))).toBeInstanceOf(Array);
  });

  it("wraps what Convex cannot hold exactly, with PostgreSQL's text unchanged", () => {
    wrapped('{"$c": 1}');
    wrapped('{"a": {"_id": 1}}');
    wrapped('{"": 1}');
    wrapped('{"é": 1}');
    wrapped('{"a\\u0001": 1}');
    wrapped(`{"${"k".repeat(1025)}": 1}`);
    wrapped(`[${Array(8193).fill(0).join(",")}]`);
    wrapped(`{${Array.from({ length: 1025 }, (_, i) => `"k${i}": 0`).join(", ")}}`);
    wrapped(nest(16));
    wrapped("[9007199254740993]");
    wrapped('{"b": 1e400}');
    wrapped("1e-400");
    wrapped('{"a": 1, "a": 2}'); // json (not jsonb) keeps duplicate keys
    wrapped('"\\ud800"'); // a lone surrogate is not a valid Convex string
    wrapped('{"pg2c_text": "looks like a wrapper"}');
    expect(json(`[${Array(8192).fill(0).join(",")}]`)).toHaveLength(8192);
  });

  it("isWrappedText recognises exactly the wrapper", () => {
    expect(isWrappedText({ pg2c_text: "x" })).toBe(true);
    expect(isWrappedText(json('{"pg2c_text": "x"}'))).toBe(true);
    expect(isWrappedText({ pg2c_text: "x", other: 1 })).toBe(false);
    expect(isWrappedText({ pg2c_text: 1 })).toBe(false);
    expect(isWrappedText(["x"])).toBe(false);
    expect(isWrappedText(null)).toBe(false);
    expect(isWrappedText(undefined)).toBe(false);
  });

  it("rejects text that is not JSON", () => {
    decodeError(() => json("{"));
    decodeError(() => json("[1]]"));
    decodeError(() => json("nul"));
  });
});

describe("arrays", () => {
  const ints = col("int4", { array: true });
  const texts = col("text", { array: true });

  it("parses PostgreSQL array literals, quoted NULL being a string", () => {
    expect(decodeText(texts, '{a,"b c",NULL,"NULL","x\\"y","back\\\\slash",""}')).toEqual(["a", "b c", null, "NULL", 'x"y', "back\\slash", ""]);
    expect(decodeText(texts, "{}")).toEqual([]);
    expect(decodeText(ints, "[0:1]={1,2}")).toEqual([1, 2]);
    expect(decodeText(col("float8", { array: true }), "{NaN,Infinity,-Infinity,NULL,1.5}")).toEqual([NaN, Infinity, -Infinity, null, 1.5]);
    expect(decodeText(col("bytea", { array: true }), '{"\\\\x0102",NULL}')).toEqual([new Uint8Array([1, 2]).buffer, null]);
  });

  it("wraps multidimensional and over-long arrays; names the bad element", () => {
    expect(decodeText(ints, "{{1,2},{3,4}}")).toEqual({ pg2c_text: "{{1,2},{3,4}}" });
    expect(decodeText(ints, "[1:2][1:1]={{1},{2}}")).toEqual({ pg2c_text: "[1:2][1:1]={{1},{2}}" });
    const long = `{${Array(8193).fill(7).join(",")}}`;
    expect(decodeText(ints, long)).toEqual({ pg2c_text: long });
    expect(decodeError(() => decodeText(ints, "{1,x}")).message).toMatch(/element 2: not an integer/);
    for (const t of ["{1,2", "1,2}", "{1,,2}", '{"a}', "{a}b", "{a,}"]) decodeError(() => decodeText(texts, t));
  });

  it("validates enum elements", () => {
    const e = col("enum", { array: true, enumValues: ["MALE", "FEMALE"] });
    expect(decodeText(e, "{MALE,FEMALE}")).toEqual(["MALE", "FEMALE"]);
    decodeError(() => decodeText(e, "{MALE,OTHER}"));
  });
});

describe("pgtext", () => {
  const pg = (pgType: string, array = false) => col("pgtext", { pgType, ...(array ? { array: true } : {}) });

  it("keeps PostgreSQL's output text as it is, arrays element by element", () => {
    expect(decodeText(pg("interval"), "1 year 2 mons")).toBe("1 year 2 mons");
    expect(decodeText(pg("character(5)"), "ab   ")).toBe("ab   ");
    expect(decodeText(pg("inet", true), '{1.2.3.4,NULL,"::1"}')).toEqual(["1.2.3.4", null, "::1"]);
    // box is the one built-in type whose array elements are separated by ";" (they hold commas).
    expect(decodeText(pg("box", true), "{(3,4),(1,2);(1,1),(0,0)}")).toEqual(["(3,4),(1,2)", "(1,1),(0,0)"]);
    expect(decodeText(pg("point", true), '{"(1,2)","(3,4)"}')).toEqual(["(1,2)", "(3,4)"]);
  });

  it("turns wal2json's bare tokens back into the output function's text", () => {
    expect(decodeWal2jsonValue(pg("boolean"), true)).toBe("t"); // boolout prints t/f; wal2json prints JSON true
    expect(decodeWal2jsonValue(pg("boolean"), false)).toBe("f");
    expect(decodeWal2jsonValue(pg("oid"), new LosslessNumber("4294967295"))).toBe("4294967295");
    expect(decodeWal2jsonValue(pg("bytea"), "dead")).toBe("\\xdead"); // wal2json strips bytea's \x
    expect(decodeWal2jsonValue(pg("d_bytea"), "\\xdead")).toBe("\\xdead"); // a domain's value keeps it
  });

  it("a bytea domain declared as bytea: wal2json keeps the \\x, which is not doubled", () => {
    expect(new Uint8Array(decodeWal2jsonValue(col("bytea"), "\\x0102") as ArrayBuffer)).toEqual(new Uint8Array([1, 2]));
    expect(new Uint8Array(decodeWal2jsonValue(col("bytea"), "0102") as ArrayBuffer)).toEqual(new Uint8Array([1, 2]));
  });
});
