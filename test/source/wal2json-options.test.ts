// START_REPLICATION text, add-tables escaping (checked against wal2json itself), the status message and the
// session configuration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addTablesOption, escapeWal2JsonIdentifier, startReplicationSql } from "../../src/source/wal2json-options";
import { encodeStandbyStatus } from "../../src/source/durable-only-service";
import { replicationClientConfig } from "../../src/postgres/session";
import { createWal2JsonSource } from "../../src/source";
import { parseLsn } from "../../src/model/lsn";
import { col, defineTable } from "../../src/definitions/define";
import { collect, createSlotDatabase, type SlotDatabase } from "./support";

const plain = defineTable({ name: "item", primaryKey: ["id"], columns: { id: col.int4().notNull() } });
// Every character wal2json treats specially: period, comma, space, asterisk, single quote, backslash.
const weird = defineTable({ schema: "My Schema.x", name: "we.ird, na'me *\\t", primaryKey: ["id"], columns: { id: col.int4().notNull() } });

describe("wal2json options", () => {
  it("escapes wal2json's special characters with a backslash", () => {
    expect(escapeWal2JsonIdentifier("plain_name")).toBe("plain_name");
    expect(escapeWal2JsonIdentifier("a.b, c*'\\")).toBe("a\\.b\\,\\ c\\*\\'\\\\");
    expect(addTablesOption([plain, weird])).toBe("public.item,My\\ Schema\\.x.we\\.ird\\,\\ na\\'me\\ \\*\\\\t");
  });

  it("builds START_REPLICATION with the explicit position and every option the decoder needs", () => {
    const sql = startReplicationSql("my_slot", parseLsn("1/2A"), { tables: [plain, weird], numericAsString: false });
    expect(sql).toBe(
      `START_REPLICATION SLOT "my_slot" LOGICAL 1/2A ("format-version" '2', "include-transaction" '1', "include-xids" '1', ` +
        `"include-timestamp" '1', "include-lsn" '1', "include-schemas" '1', "include-types" '1', ` +
        `"actions" 'insert,update,delete,truncate', "add-tables" 'public.item,My\\ Schema\\.x.we\\.ird\\,\\ na\\''me\\ \\*\\\\t')`,
    );
    expect(startReplicationSql("s", 0n, { tables: [plain], numericAsString: true })).toContain(`"numeric-data-types-as-string" '1'`);
    expect(startReplicationSql("s", 0n, { tables: [plain], numericAsString: false })).not.toContain("numeric-data-types-as-string");
  });

  it("encodes a standby status update with the position verbatim (no + 1)", () => {
    const now = new Date(Date.UTC(2000, 0, 1, 0, 0, 1));
    const msg = encodeStandbyStatus(parseLsn("16/B374D848"), now, true);
    expect(msg.length).toBe(34);
    expect(String.fromCharCode(msg[0]!)).toBe("r");
    for (const at of [1, 9, 17]) expect(msg.readBigUInt64BE(at)).toBe(parseLsn("16/B374D848"));
    expect(msg.readBigInt64BE(25)).toBe(1_000_000n);
    expect(msg[33]).toBe(1);
  });

  it("forces the session settings last, keeping any options already in the URL", () => {
    expect(replicationClientConfig("postgres://u:secret@h:5432/db")).toEqual({
      connectionString: "postgres://u:secret@h:5432/db",
      options: "-c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex -c extra_float_digits=3 -c IntervalStyle=postgres -c lc_monetary=C",
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    const merged = replicationClientConfig("postgresql://u@h/db?sslmode=disable&options=-c%20search_path%3Dx");
    expect(merged.connectionString).toBe("postgresql://u@h/db?sslmode=disable");
    expect(merged.options).toBe("-c search_path=x -c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex -c extra_float_digits=3 -c IntervalStyle=postgres -c lc_monetary=C");
  });
});

describe("add-tables against wal2json", () => {
  let db: SlotDatabase;
  beforeAll(async () => {
    db = await createSlotDatabase(
      "src_names",
      `CREATE TABLE item (id int PRIMARY KEY); CREATE SCHEMA "My Schema.x"; CREATE TABLE "My Schema.x"."we.ird, na'me *\\t" (id int PRIMARY KEY);
       CREATE TABLE "My Schema.x".item (id int PRIMARY KEY)`,
    );
  });
  afterAll(async () => db?.drop());

  it("streams a table whose schema and name contain every special character, and nothing else", async () => {
    await db.client.query(`INSERT INTO "My Schema.x"."we.ird, na'me *\\t" VALUES (1)`);
    await db.client.query(`INSERT INTO "My Schema.x".item VALUES (2)`);
    await db.client.query(`INSERT INTO item VALUES (3)`);
    const source = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables: [weird] });
    const c = collect(source);
    await c.untilCommits(3);
    await source.stop();
    await c.done;
    const changes = c.messages.filter((m) => m.json.action === "I").map((m) => m.json);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ schema: "My Schema.x", table: "we.ird, na'me *\\t" });
  });
});
