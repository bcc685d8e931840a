// NaN/±Infinity recovery under wal2json 2.5 (which prints them as JSON null) against real PostgreSQL:
// resolution only when the live tuple is provably the version the transaction wrote.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecoder, probeNumericAsString, resolveAmbiguousNulls, type Query } from "../../src/decode";
import type { RowChange, SourceTransaction } from "../../src/model/changes";
import type { DecodedEvent } from "../../src/model/events";
import { referenceTables } from "../../src/reference/tables";
import { column as c, createSourceDb, tableDef, type SourceDb } from "./support";

const measure = tableDef("measure", ["id", "tag"], [c("id", "int8", { nullable: false }), c("tag", "text", { nullable: false }), c("n", "numeric"), c("r", "float4")]);
const tables = [...referenceTables, measure];

let src: SourceDb;
let queries: string[];
const query: Query = async (sql, params) => {
  queries.push(sql);
  return src.client.query(sql, params);
};

beforeAll(async () => {
  src = await createSourceDb("dec_nan");
  await src.sql("CREATE TABLE measure (id bigint, tag text, n numeric, r real, PRIMARY KEY (id, tag))");
  await src.changes();
});
afterAll(async () => src.drop());

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

async function resolve(tx: SourceTransaction): Promise<readonly RowChange[]> {
  return (await resolveAmbiguousNulls(tx, query, tables)).changes;
}

const rowOf = (ch: RowChange | undefined) => (ch && (ch.kind === "insert" || ch.kind === "update") ? ch : undefined)!;

describe("resolveAmbiguousNulls", () => {
  it("recovers NaN, Infinity and -Infinity and proves real NULLs, with one query per table", async () => {
    await src.sql("BEGIN");
    await src.sql(`INSERT INTO language (id, name, short, flag) VALUES (1, 'a', 'a', 'NaN'), (2, 'b', 'b', 'Infinity'), (3, 'c', 'c', '-Infinity'), (4, 'd', 'd', NULL), (5, 'e', 'e', 2.5)`);
    await src.sql(`INSERT INTO measure VALUES (1, 'x', 'NaN', 'Infinity'), (1, 'y', '-Infinity', NULL), (2, 'x', 'Infinity', '-Infinity')`);
    await src.sql("COMMIT");
    const [tx] = await transactions();
    expect(tx!.changes.map((ch) => rowOf(ch).ambiguousNulls)).toEqual([["flag"], ["flag"], ["flag"], ["flag"], undefined, ["n", "r"], ["n", "r"], ["n", "r"]]);
    queries = [];
    const resolved = await resolve(tx!);
    expect(queries).toHaveLength(2);
    expect(resolved.slice(0, 5).map((ch) => rowOf(ch).row.flag)).toEqual([NaN, Infinity, -Infinity, null, 2.5]);
    // numeric maps to PostgreSQL's text, specials included; float4 to a number.
    expect(resolved.slice(5).map((ch) => [rowOf(ch).row.n, rowOf(ch).row.r])).toEqual([["NaN", Infinity], ["-Infinity", null], ["Infinity", -Infinity]]);
    for (const ch of resolved) expect(ch).not.toHaveProperty("ambiguousNulls");
    // Nothing else changed.
    expect(resolved.map((ch) => ({ ...rowOf(ch).row, flag: 0, n: 0, r: 0 }))).toEqual(tx!.changes.map((ch) => ({ ...rowOf(ch).row, flag: 0, n: 0, r: 0 })));
  });

  it("leaves null when the row changed or was deleted since; the later change resolves", async () => {
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (10, 'f', 'f', 'NaN'), (11, 'g', 'g', 'NaN')");
    await src.sql("UPDATE language SET flag = '-Infinity', name = 'f2' WHERE id = 10");
    await src.sql("DELETE FROM language WHERE id = 11");
    const [insert, update] = await transactions();
    const early = await resolve(insert!);
    expect(early.map((ch) => [rowOf(ch).row.flag, rowOf(ch).ambiguousNulls])).toEqual([[null, ["flag"]], [null, ["flag"]]]);
    const later = await resolve(update!);
    expect(rowOf(later[0]).row).toMatchObject({ name: "f2", flag: -Infinity });
  });

  it("resolves only the transaction's final version of a row (also across a key change)", async () => {
    await src.sql("BEGIN");
    await src.sql("INSERT INTO measure VALUES (7, 'a', 'NaN', 'NaN')");
    await src.sql("UPDATE measure SET r = 'Infinity' WHERE id = 7");
    await src.sql("UPDATE measure SET tag = 'b' WHERE id = 7");
    await src.sql("COMMIT");
    const [tx] = await transactions();
    const [ins, upd, moved] = await resolve(tx!);
    expect([rowOf(ins).row.r, rowOf(upd).row.r]).toEqual([null, null]); // superseded within the transaction
    expect(rowOf(moved)).toMatchObject({ key: [7n, "b"], oldKey: [7n, "a"], row: { n: "NaN", r: Infinity } });
  });

  it("leaves null for a row written inside a subtransaction (xmin is the subtransaction's xid)", async () => {
    await src.sql("BEGIN");
    await src.sql("SAVEPOINT s");
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (20, 'h', 'h', 'NaN')");
    await src.sql("RELEASE SAVEPOINT s");
    await src.sql("COMMIT");
    const [tx] = await transactions();
    const [ch] = await resolve(tx!);
    expect(rowOf(ch)).toMatchObject({ row: { flag: null }, ambiguousNulls: ["flag"] });
  });

  it("issues no query and changes nothing when no null is ambiguous", async () => {
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (30, 'i', 'i', 1)");
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (31, 'j', 'j', NULL)");
    const [plain, withNull] = await transactions();
    queries = [];
    expect(await resolve(plain!)).toEqual(plain!.changes);
    expect(queries).toHaveLength(0);
    // Under wal2json >= 2.6 (numeric-data-types-as-string) a null is always SQL NULL: nothing is ambiguous.
    await src.sql("INSERT INTO language (id, name, short, flag) VALUES (32, 'k', 'k', NULL)");
    const [asString] = await transactions(true);
    expect(rowOf(asString!.changes[0])).not.toHaveProperty("ambiguousNulls");
    expect(rowOf(withNull!.changes[0]).ambiguousNulls).toEqual(["flag"]);
  });
});

describe("probeNumericAsString", () => {
  it("is false on wal2json 2.5 and leaves no slot behind", async () => {
    expect(await probeNumericAsString((sql, params) => src.client.query(sql, params))).toBe(false);
    const slots = await src.sql("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'pg2c_probe_%'");
    expect(slots).toEqual([]);
  });
});
