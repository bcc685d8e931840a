// NaN/±Infinity under wal2json 2.5 (which prints them as JSON null), settled from the values slot
// (test_decoding over the same WAL) against real PostgreSQL. None of it depends on the rows' live state.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDecoder, createSpecialValues, type SpecialValues } from "../../src/decode";
import type { RowChange, SourceTransaction } from "../../src/model/changes";
import type { DecodedEvent } from "../../src/model/events";
import { formatLsn, type Lsn } from "../../src/model/lsn";
import { referenceTables } from "../../tables/reference";
import { probeNumericAsString } from "../../src/postgres/numeric-probe";
import { advanceValuesSlot, ensureValuesSlot, peekValuesSlot, valuesSlotName } from "../../src/postgres/values-slot";
import { column as c, createSourceDb, tableDef, type SourceDb } from "./support";

const measure = tableDef("measure", ["id", "tag"], [c("id", "int8", { nullable: false }), c("tag", "text", { nullable: false }), c("n", "numeric"), c("r", "float4")]);
const odd = tableDef("Odd T", ["we ird"], [c("we ird", "text", { nullable: false }), c('F"x', "float8"), c("arr", "float8", { array: true })]);
// Floats declared as text (pgtext): wal2json prints their NaN as null too, so the values slot settles them.
const astext = tableDef("astext", ["id"], [c("id", "int4", { nullable: false }), c("f", "pgtext", { pgType: "double precision" }), c("n", "pgtext", { pgType: "Decimal(10, 2)" })]);
const tables = [...referenceTables, measure, odd, astext];

let src: SourceDb;
let name: string;
let coversFrom: Lsn;
let peeks: number;
let specials: SpecialValues;

beforeAll(async () => {
  src = await createSourceDb("dec_nan");
  await src.sql("CREATE TABLE measure (id bigint, tag text, n numeric, r real, PRIMARY KEY (id, tag))");
  await src.sql(`CREATE TABLE "Odd T" ("we ird" text PRIMARY KEY, "F""x" float8, arr float8[])`);
  await src.sql("CREATE TABLE astext (id int PRIMARY KEY, f float8, n numeric(10,2))");
  const state = await ensureValuesSlot(src.client, "dec_nan_slot");
  name = state.name;
  coversFrom = state.confirmedFlushLsn;
  await src.changes();
});
afterAll(async () => src.drop());
beforeEach(() => {
  peeks = 0;
  specials = createSpecialValues({
    tables,
    coversFrom,
    peek: (upto) => {
      peeks++;
      return peekValuesSlot(src.client, name, upto);
    },
  });
});

/** Test-side assembly: begin … commit → SourceTransaction. */
async function transactions(numericAsString = false): Promise<SourceTransaction[]> {
  const decoder = createDecoder(tables, { numericAsString });
  const out: SourceTransaction[] = [];
  let changes: RowChange[] = [];
  for (const m of await src.changes()) {
    const e: DecodedEvent = decoder.decode(m);
    if (e.type === "begin") changes = [];
    if (e.type === "change") changes.push(e.change);
    if (e.type === "commit") out.push({ xid: e.xid, commitLsn: e.commitLsn, endLsn: e.endLsn, commitTime: e.commitTime, changes });
  }
  return out;
}

const resolve = async (tx: SourceTransaction) => (await specials.resolve(tx)).changes;
const rowOf = (ch: RowChange | undefined) => (ch && (ch.kind === "insert" || ch.kind === "update") ? ch : undefined)!;

describe("the values slot", () => {
  it("is named after the mirror's slot and stays within PostgreSQL's 63 characters", () => {
    expect(valuesSlotName("pg2convex")).toBe("pg2convex_values");
    const long = "a".repeat(63);
    expect(valuesSlotName(long)).toHaveLength(63);
    expect(valuesSlotName(long)).not.toBe(valuesSlotName("a".repeat(62) + "b"));
  });

  it("is a test_decoding slot, created once and refused when it decodes with another plugin", async () => {
    const again = await ensureValuesSlot(src.client, "dec_nan_slot");
    expect(again).toMatchObject({ name, created: false });
    const [row] = await src.sql("SELECT plugin FROM pg_replication_slots WHERE slot_name = $1", [name]);
    expect(row.plugin).toBe("test_decoding");
    await src.sql("SELECT pg_create_logical_replication_slot('other_values', 'wal2json')");
    await expect(ensureValuesSlot(src.client, "other")).rejects.toMatchObject({ code: "PG_CHECK_FAILED", message: expect.stringContaining("not a test_decoding slot") });
    await src.sql("SELECT pg_drop_replication_slot('other_values')");
  });
});

describe("createSpecialValues", () => {
  it("recovers NaN, Infinity and -Infinity and proves real NULLs", async () => {
    await src.sql("BEGIN");
    await src.sql(`INSERT INTO language (id, name, short, flag) VALUES (1, 'a', 'a', 'NaN'), (2, 'b', 'b', 'Infinity'), (3, 'c', 'c', '-Infinity'), (4, 'd', 'd', NULL), (5, 'e', 'e', 2.5)`);
    await src.sql(`INSERT INTO measure VALUES (1, 'x', 'NaN', 'Infinity'), (1, 'y', '-Infinity', NULL), (2, 'x', 'Infinity', '-Infinity')`);
    await src.sql("COMMIT");
    const [tx] = await transactions();
    expect(tx!.changes.map((ch) => rowOf(ch).ambiguousNulls)).toEqual([["flag"], ["flag"], ["flag"], ["flag"], undefined, ["n", "r"], ["n", "r"], ["n", "r"]]);
    const resolved = await resolve(tx!);
    expect(peeks).toBe(1);
    expect(resolved.slice(0, 5).map((ch) => rowOf(ch).row.flag)).toEqual([NaN, Infinity, -Infinity, null, 2.5]);
    // numeric maps to PostgreSQL's text, specials included; float4 to a number.
    expect(resolved.slice(5).map((ch) => [rowOf(ch).row.n, rowOf(ch).row.r])).toEqual([
      ["NaN", Infinity],
      ["-Infinity", null],
      ["Infinity", -Infinity],
    ]);
    for (const ch of resolved) expect(ch).not.toHaveProperty("ambiguousNulls");
    expect(resolved.map((ch) => ({ ...rowOf(ch).row, flag: 0, n: 0, r: 0 }))).toEqual(tx!.changes.map((ch) => ({ ...rowOf(ch).row, flag: 0, n: 0, r: 0 })));
  });

  it("settles a transaction streamed in parts: a leading part (no end LSN yet) is found by its xid", async () => {
    await src.sql("BEGIN");
    await src.sql(`INSERT INTO language (id, name, short, flag) VALUES (40, 'p40', 'p40', NULL), (41, 'p41', 'p41', 'NaN')`);
    await src.sql(`INSERT INTO measure VALUES (140, 'x', 'Infinity', NULL), (141, 'x', NULL, '-Infinity')`);
    await src.sql("COMMIT");
    const [tx] = await transactions();
    const whole = await resolve(tx!);
    const cut = 2;
    const lead = await specials.resolve({ xid: tx!.xid, commitLsn: tx!.commitLsn, commitTime: tx!.commitTime, part: 0, changes: tx!.changes.slice(0, cut), final: false });
    const last = await specials.resolve({ ...tx!, changes: tx!.changes.slice(cut), part: 1 });
    expect([...lead.changes, ...last.changes]).toEqual(whole);
    expect(lead.changes.map((ch) => rowOf(ch).row.flag)).toEqual([null, NaN]);
  });

  it("is exact for every change of a transaction, superseded ones and a key change included", async () => {
    await src.sql("BEGIN");
    await src.sql("INSERT INTO measure VALUES (7, 'a', 'NaN', 'NaN')");
    await src.sql("UPDATE measure SET r = 'Infinity' WHERE id = 7");
    await src.sql("UPDATE measure SET tag = 'b' WHERE id = 7");
    await src.sql("COMMIT");
    const [tx] = await transactions();
    const [ins, upd, moved] = await resolve(tx!);
    expect([rowOf(ins).row, rowOf(upd).row]).toEqual([
      { id: 7n, tag: "a", n: "NaN", r: NaN },
      { id: 7n, tag: "a", n: "NaN", r: Infinity },
    ]);
    expect(rowOf(moved)).toMatchObject({ key: [7n, "b"], oldKey: [7n, "a"], row: { n: "NaN", r: Infinity } });
  });

  it("is exact inside savepoints, released, nested or rolled back", async () => {
    await src.sql("BEGIN");
    await src.sql("SAVEPOINT s");
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (20, 'h', 'h', 'NaN')");
    await src.sql("RELEASE SAVEPOINT s");
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (21, 'i', 'i', '-Infinity')");
    await src.sql("SAVEPOINT t");
    await src.sql("UPDATE language SET name = 'i2' WHERE id = 21"); // untouched flag keeps -Infinity
    await src.sql("SAVEPOINT u");
    await src.sql("UPDATE language SET flag = 'NaN' WHERE id = 20");
    await src.sql("ROLLBACK TO SAVEPOINT u");
    await src.sql("RELEASE SAVEPOINT t");
    await src.sql("COMMIT");
    const [tx] = await transactions();
    const resolved = await resolve(tx!);
    expect(resolved.map((ch) => [rowOf(ch).key, rowOf(ch).row.name, rowOf(ch).row.flag])).toEqual([
      [[20], "h", NaN],
      [[21], "i", -Infinity],
      [[21], "i2", -Infinity],
    ]);
  });

  it("settles float and numeric columns declared as text (pgtext) with PostgreSQL's own words", async () => {
    await src.sql("INSERT INTO astext VALUES (1, 'NaN', 'NaN'), (2, '-Infinity', NULL), (3, NULL, 1.5)");
    const [tx] = await transactions();
    expect(tx!.changes.map((ch) => rowOf(ch).ambiguousNulls)).toEqual([["f", "n"], ["f", "n"], ["f"]]);
    expect((await resolve(tx!)).map((ch) => rowOf(ch).row)).toEqual([
      { id: 1, f: "NaN", n: "NaN" },
      { id: 2, f: "-Infinity", n: null },
      { id: 3, f: null, n: "1.50" },
    ]);
  });

  it("does not depend on the row's later state: a lagging bridge resolves a row changed and deleted since", async () => {
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (10, 'f', 'f', 'NaN')");
    await src.sql("UPDATE language SET flag = 1, name = 'f2' WHERE id = 10");
    await src.sql("DELETE FROM language WHERE id = 10");
    const [insert, update] = await transactions();
    expect(rowOf((await resolve(insert!))[0]).row.flag).toBe(NaN);
    expect(rowOf((await resolve(update!))[0]).row.flag).toBe(1);
    expect(peeks).toBe(1); // one window served both transactions
  });

  it("tells the changes of one multi-insert record apart, and text that reads NaN from the value", async () => {
    await src.sql(`COPY measure (id, tag, n, r) FROM PROGRAM 'printf "40\\tx\\tNaN\\t\\\\\\\\N\\n41\\tx\\t\\\\\\\\N\\t-Infinity\\n42\\tx\\t1.5\\tInfinity\\n"'`);
    await src.sql(`INSERT INTO "Odd T" VALUES ('NaN Infinity', NULL, '{NaN}'), ('x', 'NaN', NULL)`);
    const [copy, oddTx] = await transactions();
    const lsns = copy!.changes.map((ch) => rowOf(ch).lsn);
    expect(new Set(lsns).size).toBe(1); // one heap multi-insert record
    expect((await resolve(copy!)).map((ch) => [rowOf(ch).row.n, rowOf(ch).row.r])).toEqual([
      ["NaN", null],
      [null, -Infinity],
      ["1.5", Infinity],
    ]);
    const [quoted, bare] = await resolve(oddTx!);
    expect(rowOf(quoted).row).toEqual({ "we ird": "NaN Infinity", 'F"x': null, arr: [NaN] });
    expect(rowOf(bare).row).toEqual({ "we ird": "x", 'F"x': NaN, arr: null });
  });

  it("turns changes committed before the values slot existed into SPECIAL_VALUE_UNKNOWN rejects, never silent nulls", async () => {
    await src.sql("INSERT INTO measure VALUES (50, 'a', NULL, 2)");
    await src.sql("UPDATE measure SET tag = 'b' WHERE id = 50");
    const [insert, move] = await transactions();
    const late = createSpecialValues({ tables, coversFrom: move!.endLsn, peek: () => Promise.reject(new Error("must not peek")) });
    const [reject] = (await late.resolve(insert!)).changes;
    expect(reject).toMatchObject({ kind: "reject", table: "measure", key: [50n, "a"], code: "SPECIAL_VALUE_UNKNOWN", lsn: rowOf(insert!.changes[0]).lsn });
    expect(reject!.kind === "reject" && reject!.reason).toMatch(/column\(s\) n arrived as null/);
    const moved = (await late.resolve(move!)).changes;
    expect(moved).toMatchObject([
      { kind: "delete", key: [50n, "a"] },
      { kind: "reject", key: [50n, "b"], code: "SPECIAL_VALUE_UNKNOWN" },
    ]);
  });

  it("peeks only for transactions with an ambiguous null, and forgets what is durable", async () => {
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (30, 'i30', 'i30', 1)");
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (31, 'j31', 'j31', 'Infinity')");
    const [plain, special] = await transactions();
    expect(await resolve(plain!)).toEqual(plain!.changes);
    expect(peeks).toBe(0);
    await resolve(special!);
    specials.forget(special!.endLsn);
    expect(rowOf((await resolve(special!))[0]).row.flag).toBe(Infinity); // forgotten, so read again
    expect(peeks).toBe(2);
    // Under wal2json >= 2.6 (numeric-data-types-as-string) a null is always SQL NULL: nothing is ambiguous.
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (32, 'k32', 'k32', NULL)");
    const [asString] = await transactions(true);
    expect(rowOf(asString!.changes[0])).not.toHaveProperty("ambiguousNulls");
  });

  it("after the slot advanced to a durable position, still serves every later transaction", async () => {
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (60, 'l', 'l', 'NaN')");
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (61, 'm', 'm', '-Infinity')");
    const [first, second] = await transactions();
    const moved = await advanceValuesSlot(src.client, name, first!.endLsn);
    expect(moved).toBe(first!.endLsn);
    const [row] = await src.sql("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [name]);
    expect(row.lsn).toBe(formatLsn(first!.endLsn));
    expect(rowOf((await resolve(second!))[0]).row.flag).toBe(-Infinity);
    expect(await advanceValuesSlot(src.client, name, first!.endLsn)).toBe(first!.endLsn); // no-op, no error
  });
});

describe("probeNumericAsString", () => {
  it("is false on wal2json 2.5 and leaves no slot behind", async () => {
    expect(await probeNumericAsString(src.client)).toBe(false);
    const slots = await src.sql("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'pg2c_probe_%'");
    expect(slots).toEqual([]);
  });
});
