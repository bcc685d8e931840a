// Issue 12 §6 in the decode stage: a record whose columns differ from the definitions still decodes its known
// columns, and every difference becomes a drift note with the raw value; excluded columns are ignored; rows of a
// leaf partition are filed under the partitioned table; without a drift listener an unknown column stays a reject.
import { describe, expect, it } from "vitest";
import { createDecoder } from "../../src/decode";
import type { DriftNote } from "../../src/decode/drift";
import { tableIndexKey } from "../../src/decode/table-index";
import { col, defineTable } from "../../src/definitions/define";

const t = defineTable({ name: "r", primaryKey: ["id"], columns: { id: col.int4().notNull(), n: col.int4(), mood: col.enum(["a", "b"]), note: col.text() }, exclude: ["fts"] });
const rec = (action: string, columns: Array<[string, string, unknown]>, table = "r") =>
  JSON.stringify({ action, xid: 7, schema: "public", table, columns: columns.map(([name, type, value]) => ({ name, type, value })), ...(action === "U" ? { identity: [{ name: "id", type: "integer", value: 1 }] } : {}) });
const types = new Map([
  [
    "r",
    new Map([
      ["id", "integer"],
      ["n", "integer"],
      ["mood", "mood"],
      ["note", "text"],
    ]),
  ],
]);

function decodeWith(text: string, leaves?: Map<string, string>) {
  const notes: DriftNote[] = [];
  const d = createDecoder([t], { onDrift: (n) => notes.push(n), columnTypes: types, ...(leaves ? { leaves } : {}) });
  return { ev: d.decode({ lsn: 100n, text }), notes };
}

describe("drift in the decoder", () => {
  it("keeps the known columns and notes an added column with its raw value; an excluded column is ignored", () => {
    // An int8 beyond double precision: the raw value keeps every digit (lossless JSON).
    const { ev, notes } = decodeWith(
      rec("I", [
        ["id", "integer", 1],
        ["n", "integer", 5],
        ["fts", "tsvector", "'a'"],
        ["extra", "bigint", "BIG"],
      ]).replace('"BIG"', "12345678901234567890"),
    );
    expect(ev).toMatchObject({ type: "change", change: { kind: "insert", row: { id: 1, n: 5, mood: null, note: null } } });
    expect(notes.map((n) => [n.column, n.kind, n.raw, n.key])).toEqual([
      ["extra", "column_added", "12345678901234567890", [1]],
      ["mood", "column_dropped", undefined, [1]],
      ["note", "column_dropped", undefined, [1]],
    ]);
  });

  it("an unknown enum label: the row applies without it (update keeps the old value), the label is kept raw", () => {
    const { ev, notes } = decodeWith(
      rec("U", [
        ["id", "integer", 1],
        ["n", "integer", 6],
        ["mood", "mood", "c"],
        ["note", "text", "x"],
      ]),
    );
    expect(ev).toMatchObject({ type: "change", change: { kind: "update", row: { id: 1, n: 6, note: "x" } } });
    expect((ev as { change: { row: object } }).change.row).not.toHaveProperty("mood");
    expect(notes.map((n) => [n.column, n.kind, n.raw])).toEqual([["mood", "value_undecodable", '"c"']]);
  });

  it("a retyped column is noted, and its value kept raw when it no longer decodes", () => {
    const { ev, notes } = decodeWith(
      rec("I", [
        ["id", "integer", 1],
        ["n", "text", "five"],
        ["mood", "mood", "a"],
        ["note", "text", null],
      ]),
    );
    expect(ev).toMatchObject({ change: { row: { id: 1, n: null, mood: "a", note: null } } });
    expect(notes.map((n) => [n.column, n.kind])).toEqual([
      ["n", "type_changed"],
      ["n", "value_undecodable"],
    ]);
    // Schema qualification and quoting are not a type change.
    expect(
      decodeWith(
        rec("I", [
          ["id", "integer", 1],
          ["n", "integer", 1],
          ["mood", "public.mood", "a"],
          ["note", "text", null],
        ]),
      ).notes,
    ).toEqual([]);
  });

  it("files a leaf partition's rows under the partitioned table; a leaf truncate is drift, not a truncate of every partition", () => {
    const leaves = new Map([[tableIndexKey("public", "r_2024"), tableIndexKey("public", "r")]]);
    const { ev } = decodeWith(
      rec(
        "I",
        [
          ["id", "integer", 2],
          ["n", "integer", 1],
          ["mood", "mood", "a"],
          ["note", "text", null],
        ],
        "r_2024",
      ),
      leaves,
    );
    expect(ev).toMatchObject({ type: "change", change: { kind: "insert", table: "r", key: [2] } });
    const trunc = decodeWith(JSON.stringify({ action: "T", xid: 7, schema: "public", table: "r_2024" }), leaves);
    expect(trunc.ev.type).toBe("skip");
    expect(trunc.notes.map((n) => [n.table, n.kind])).toEqual([["r", "catalog"]]);
    expect(createDecoder([t]).decode({ lsn: 1n, text: rec("I", [["id", "integer", 2]], "r_2024") })).toMatchObject({ type: "skip", relation: { schema: "public", table: "r_2024" } });
  });

  it("without a listener, an unknown column stays a DECODE_FAILED (a reject in the stream)", () => {
    const d = createDecoder([t]);
    expect(() =>
      d.decode({
        lsn: 1n,
        text: rec("I", [
          ["id", "integer", 1],
          ["extra", "int", 1],
        ]),
      }),
    ).toThrow(/extra/);
    expect(
      d.decode({
        lsn: 1n,
        text: rec("I", [
          ["id", "integer", 1],
          ["fts", "tsvector", "'a'"],
        ]),
      }),
    ).toMatchObject({ type: "change" });
  });
});
