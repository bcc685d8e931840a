// The JSON.parse fast path (src/decode/record.ts, fast-json.ts) against the lossless-json path it replaces: any
// wal2json-shaped record, with any number tokens (int8 beyond 2^53, numeric scale, -0, exponents, 1e400), odd
// strings (escapes, lone surrogates, text that looks like a member with a number) and odd spacing, decodes to
// the same event, the same drift notes and the same error, value types (bigint, number, -0) included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDecoder } from "../../src/decode";
import type { DriftNote } from "../../src/decode/drift";
import { col, defineTable } from "../../src/definitions/define";
import { Pg2ConvexError } from "../../src/errors";

const t = defineTable({
  name: "p",
  primaryKey: ["id"],
  columns: {
    id: col.int8().notNull(),
    i2: col.int2(),
    i4: col.int4(),
    i8: col.int8(),
    f4: col.float4(),
    f8: col.float8(),
    num: col.numeric(),
    txt: col.text(),
    pnum: col.pgText("numeric(10,2)"),
    pint: col.pgText("integer"),
    b: col.bool(),
    js: col.jsonb(),
    ts: col.timestamptz(),
    by: col.bytea(),
    f8s: col.float8().asArray(),
  },
  exclude: ["skipped"],
});
const NAMES = [...t.columns.map((c) => c.name), "skipped", "added"];
const TYPES: Record<string, string> = { id: "bigint", i2: "smallint", i4: "integer", i8: "bigint", f4: "real", f8: "double precision", num: "numeric", pnum: "numeric(10,2)", pint: "integer" };

/** Number token texts, valid JSON or not, canonical or not. */
const numberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom(
    "0",
    "-0",
    "1.50",
    "0.10",
    "1e2",
    "1E+2",
    "-1e-7",
    "1e400",
    "-1e400",
    "9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "123456789012345",
    "1234567890123456",
    "0.1",
    "2.5e-324",
    "00",
    "1.",
    ".5",
    "+1",
    "32767",
    "32768",
    "2147483648",
    "-2147483649",
  ),
  fc.tuple(fc.integer({ min: -999999, max: 999999 }), fc.nat(99), fc.integer({ min: -30, max: 30 })).map(([a, b, e]) => `${a}.${String(b).padStart(2, "0")}e${e}`),
);
/** String token texts: JSON-escaped arbitrary strings (lone surrogates included) and tricky literals. */
const stringText = fc.oneof(
  fc.string({ unit: "binary" }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"{\\"a\\": 1.50}"', '"{\\"g\\": 1}"', '"x\\":1.50"', '"\\ud800"', '"2026-12-02 14:23:30.432657+00"', '"1.50"', '"t"', '"deadbeef"', '"{1.5,NaN,-0}"', '"{\\"big\\": 9007199254740993}"', '"\\u0000"'),
);
const tokenText = fc.oneof(numberText, numberText, stringText, fc.constantFrom("null", "true", "false", "[1.50]", '{"a":1.50}', "[]"));
const space = fc.constantFrom("", "", " ", "\n ", "\t");
const cell = fc.record({ name: fc.constantFrom(...NAMES), value: tokenText, s1: space, s2: space });
const record = fc.record({
  action: fc.constantFrom("I", "U", "D"),
  xid: fc.oneof(fc.constant("7"), numberText),
  columns: fc.array(cell, { maxLength: 14 }),
  identity: fc.option(fc.array(cell, { maxLength: 2 })),
  extra: fc.option(fc.constantFrom('"extra":[1.50,-0]', '"extra":{"n":1e400}', '"origin":1.0')),
});

type RecordShape = typeof record extends fc.Arbitrary<infer T> ? T : never;

const cellText = (c: { name: string; value: string; s1: string; s2: string }) => `{"name":${JSON.stringify(c.name)},"type":${JSON.stringify(TYPES[c.name] ?? "text")},"value"${c.s1}:${c.s2}${c.value}}`;
function recordText(r: RecordShape): string {
  // The key column first, most of the time, so that most records decode rather than fail on a missing key.
  const parts = [`"action":"${r.action}"`, `"xid":${r.xid}`, `"lsn":"0/16B3748"`, `"schema":"public"`, `"table":"p"`];
  const columns = [{ name: "id", value: "1", s1: "", s2: "" }, ...r.columns];
  if (r.action !== "D") parts.push(`"columns":[${columns.map(cellText).join(",")}]`);
  const identity = r.identity ?? (r.action === "D" ? [{ name: "id", value: "2", s1: "", s2: "" }] : null);
  if (identity) parts.push(`"identity":[${identity.map(cellText).join(",")}]`);
  if (r.extra) parts.push(r.extra);
  return `{${parts.join(",")}}`;
}

/** Every value with its type, so 1n, 1, -0 and 0 are told apart; errors by code, message and context. */
function tagged(v: unknown): unknown {
  if (typeof v === "bigint") return { bigint: v.toString() };
  if (typeof v === "number") return { number: Object.is(v, -0) ? "-0" : String(v) };
  if (v instanceof ArrayBuffer) return { bytes: [...new Uint8Array(v)] };
  if (v instanceof Date) return { date: v.toISOString() };
  if (Array.isArray(v)) return v.map(tagged);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === undefined ? { undefined: true } : tagged(x)]));
  return v;
}

function decodeVia(text: string, losslessParse: boolean) {
  const notes: DriftNote[] = [];
  const d = createDecoder([t], { onDrift: (n) => notes.push(n), losslessParse });
  try {
    return tagged({ event: d.decode({ lsn: 5n, text }), notes });
  } catch (e) {
    if (!(e instanceof Pg2ConvexError)) throw e;
    return tagged({ error: { code: e.code, message: e.message, context: e.context, fix: e.fix }, notes });
  }
}

describe("the JSON.parse fast path", () => {
  it("decodes every record exactly as the lossless path does", () => {
    fc.assert(
      fc.property(record, (r) => {
        const text = recordText(r);
        expect(decodeVia(text, false)).toEqual(decodeVia(text, true));
      }),
      { numRuns: 3000 },
    );
  });

  it("decodes the edge numbers of each column type as the lossless path does", () => {
    // Not left to chance: each edge number in each column, alone in a record.
    const edges = ["9007199254740993", "-0", "1.50", "1e400", "1e2", "0.1", "123456789012345", "1234567890123456", "2147483648", "32768"];
    for (const name of NAMES) {
      for (const value of edges) {
        const text = recordText({ action: "I", xid: "7", columns: [{ name, value, s1: "", s2: " " }], identity: null, extra: null });
        expect(decodeVia(text, false), `${name} = ${value}`).toEqual(decodeVia(text, true));
      }
    }
    // And the fast path does decode exactly: an int8 beyond 2^53 stays a bigint, a numeric keeps its scale.
    const text = recordText({
      action: "I",
      xid: "7",
      columns: [
        { name: "i8", value: "9007199254740993", s1: "", s2: "" },
        { name: "num", value: "1.50", s1: "", s2: "" },
        { name: "i4", value: "42", s1: "", s2: "" },
      ],
      identity: null,
      extra: null,
    });
    const ev = createDecoder([t]).decode({ lsn: 5n, text });
    expect(ev.type === "change" && ev.change.kind === "insert" ? ev.change.row : null).toMatchObject({ i8: 9007199254740993n, num: "1.50", i4: 42 });
  });
});
