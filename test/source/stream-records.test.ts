// What the source delivers: raw wal2json v2 text with the positions the decoder and assembler rely on, only for
// mirrored tables, TRUNCATE included, rendered under the session settings we force (whatever the database says).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createWal2JsonSource } from "../../src/source";
import { parseLsn } from "../../src/model/lsn";
import { col, defineTable } from "../../src/definitions/define";
import { collect, createSlotDatabase, type SlotDatabase } from "./support";

const item = defineTable({
  name: "item",
  primaryKey: ["id"],
  columns: { id: col.int4().notNull(), v: col.text(), n: col.numeric(), ts: col.timestamptz(), d: col.date(), f: col.float8(), b: col.bytea() },
});
const tables = [item];

describe("wal2json records", () => {
  let db: SlotDatabase;
  beforeAll(async () => {
    db = await createSlotDatabase("src_records", "CREATE TABLE item (id int PRIMARY KEY, v text, n numeric, ts timestamptz, d date, f float8, b bytea); CREATE TABLE other (id int PRIMARY KEY)");
  });
  afterAll(async () => db?.drop());

  it("delivers B/I/U/D/T/C records of mirrored tables with xids, commit times and LSNs", async () => {
    await db.client.query("INSERT INTO item (id, v) VALUES (1, 'a'), (2, 'b')");
    await db.client.query("BEGIN; UPDATE item SET v = 'c' WHERE id = 1; DELETE FROM item WHERE id = 2; INSERT INTO other VALUES (1); COMMIT");
    await db.client.query("INSERT INTO other VALUES (2)");
    await db.client.query("TRUNCATE item, other");

    const source = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables });
    const c = collect(source);
    await c.untilCommits(4);
    await source.stop();
    await c.done;

    expect(c.messages.map((m) => m.json.action).join("")).toBe("BIICBUDCBCBTC");
    // Only mirrored tables: `other` leaves an empty transaction and no T record.
    expect(new Set(c.messages.filter((m) => m.json.table).map((m) => m.json.table))).toEqual(new Set(["item"]));
    for (const m of c.messages) {
      expect(typeof m.text).toBe("string");
      expect(m.json.xid).toBeTypeOf("number");
      expect(m.json.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);
      expect(m.json.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    }
    // Each transaction's B and C carry the commit LSN (`lsn`) and the end of the commit record (`nextlsn`);
    // the message position of a C record is its nextlsn; changes sit before the commit record.
    let begin: (typeof c.messages)[number] | undefined;
    for (const m of c.messages) {
      if (m.json.action === "B") begin = m;
      else if (m.json.action === "C") {
        expect(m.json.lsn).toBe(begin!.json.lsn);
        expect(m.json.nextlsn).toBe(begin!.json.nextlsn);
        expect(m.lsn).toBe(parseLsn(m.json.nextlsn!));
        expect(parseLsn(m.json.lsn!)).toBeLessThan(parseLsn(m.json.nextlsn!));
      } else {
        expect(m.json.xid).toBe(begin!.json.xid);
        expect(m.lsn).toBe(parseLsn(m.json.lsn!));
        expect(m.lsn).toBeLessThan(parseLsn(begin!.json.lsn!));
      }
    }
    expect(c.messages.find((m) => m.json.action === "T")!.json).toMatchObject({ schema: "public", table: "item" });
  });

  it("renders values in UTC / ISO / hex / exact floats even when the database defaults say otherwise", async () => {
    for (const s of ["TimeZone = 'America/New_York'", "DateStyle = 'SQL, DMY'", "bytea_output = 'escape'", "extra_float_digits = 0"]) {
      await db.client.query(`ALTER DATABASE ${db.name} SET ${s}`);
    }
    await db.client.query("INSERT INTO item (id, ts, d, f, b) VALUES (50, '2024-01-02 03:04:05.25+00', '2024-01-31', 0.1::float8 + 0.2::float8, '\\x00ff41')");
    const value = (text: string, column: string) => (JSON.parse(text) as { columns: Array<{ name: string; value: unknown }> }).columns.find((x) => x.name === column)!.value;

    // Control: a session that takes the database defaults renders the same row differently (and lossily).
    const control = new pg.Client(db.url);
    await control.connect();
    const peeked = (await control.query("SELECT data FROM pg_logical_slot_peek_changes($1, NULL, NULL, 'format-version', '2')", [db.slot])).rows
      .map((r: { data: string }) => r.data)
      .find((d) => d.includes('"action":"I"') && d.includes('"value":50'))!;
    await control.end();
    expect(value(peeked, "ts")).toBe("01/01/2024 22:04:05.25 EST");
    expect(value(peeked, "d")).toBe("31/01/2024");
    expect(value(peeked, "f")).toBe(0.3);
    expect(value(peeked, "b")).not.toBe("00ff41");

    const source = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables });
    const c = collect(source);
    const insert = (await c.untilMessage("row 50", (x) => x.json.action === "I" && x.text.includes('"value":50'))).text;
    await source.stop();
    await c.done;
    expect(value(insert, "ts")).toBe("2024-01-02 03:04:05.25+00");
    expect(value(insert, "d")).toBe("2024-01-31");
    // JSON.parse here only to inspect; the raw text keeps every digit for the lossless decoder.
    expect(insert).toContain('"value":0.30000000000000004');
    expect(value(insert, "b")).toBe("00ff41");
    expect(JSON.parse(insert).timestamp).toMatch(/\+00$/);
  });

  it("keeps numerics as exact JSON numbers, and honours numericAsString only where wal2json supports it (2.6+; a config error on 2.5)", async () => {
    await db.client.query("INSERT INTO item (id, n) VALUES (60, 12345678901234567890.000000000000000001)");
    const source = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables });
    const c = collect(source);
    await c.untilMessage("row 60", (m) => m.text.includes('"value":60'));
    await source.stop();
    await c.done;
    expect(c.messages.find((m) => m.text.includes('"value":60'))!.text).toContain('"value":12345678901234567890.000000000000000001');

    // numeric-data-types-as-string exists from wal2json 2.6; ask the installed plugin whether it knows it.
    const supported = await db.client.query("SELECT data FROM pg_logical_slot_peek_changes($1, NULL, 1, 'format-version', '2', 'numeric-data-types-as-string', '1')", [db.slot]).then(
      () => true,
      (e: { code?: string }) => (e.code === "22023" ? false : Promise.reject(e)),
    );
    const stringy = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables, numericAsString: true });
    if (supported) {
      const s = collect(stringy);
      await s.untilMessage("row 60", (m) => m.text.includes('"value":60'));
      await stringy.stop();
      await s.done;
      expect(s.messages.find((m) => m.text.includes('"value":60'))!.text).toContain('"value":"12345678901234567890.000000000000000001"');
    } else {
      await expect(stringy.stream(0n, async () => undefined)).rejects.toMatchObject({ code: "CONFIG_INVALID", retryable: false });
    }
  });
});
