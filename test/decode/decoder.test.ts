// The decoder on real wal2json 2.5 output from the reference schema (plus scratch tables where a case
// needs a type the reference schema lacks).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecoder, type Decoder } from "../../src/decode";
import { Pg2ConvexError } from "../../src/errors";
import type { RowChange } from "../../src/model/changes";
import type { DecodedEvent } from "../../src/model/events";
import { formatLsn } from "../../src/model/lsn";
import { referenceTables } from "../../tables/reference";
import { column as c, createSourceDb, tableDef, type SourceDb } from "./support";

const big = tableDef("big", ["id"], [c("id", "int8", { nullable: false }), c("n", "numeric"), c("body", "text"), c("note", "text"), c("doc", "jsonb")]);
const tables = [...referenceTables, big];

let src: SourceDb;
let decoder: Decoder;

beforeAll(async () => {
  src = await createSourceDb("dec_stream");
  await src.sql("CREATE TABLE big (id bigint PRIMARY KEY, n numeric, body text, note text, doc jsonb)");
  // EXTERNAL: stored out of line without compression, so > 2 kB of text is TOASTed on disk.
  await src.sql("ALTER TABLE big ALTER COLUMN body SET STORAGE EXTERNAL");
  decoder = createDecoder(tables);
  await src.changes(); // DDL transactions show up as empty B/C pairs
});
afterAll(async () => src.drop());

async function events(): Promise<DecodedEvent[]> {
  return (await src.changes()).map((m) => decoder.decode(m));
}
const changesOf = (evs: DecodedEvent[]): RowChange[] => evs.flatMap((e) => (e.type === "change" ? [e.change] : []));

function decodeFailure(run: () => unknown): Pg2ConvexError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(Pg2ConvexError);
    expect((e as Pg2ConvexError).code).toBe("DECODE_FAILED");
    return e as Pg2ConvexError;
  }
  throw new Error("expected DECODE_FAILED");
}

describe("transactions", () => {
  it("frames changes with begin and commit carrying the commit LSN, end LSN and time", async () => {
    await src.sql("BEGIN");
    await src.sql("INSERT INTO language (id, name, short, flag, public) VALUES (1, 'English', 'en', 1.5, true), (2, 'German', 'de', NULL, false)");
    await src.sql("UPDATE language SET name = 'Deutsch' WHERE id = 2");
    await src.sql("DELETE FROM language WHERE id = 1");
    await src.sql("COMMIT");
    const evs = await events();
    expect(evs.map((e) => e.type)).toEqual(["begin", "change", "change", "change", "change", "commit"]);
    const begin = evs[0] as Extract<DecodedEvent, { type: "begin" }>;
    const commit = evs[5] as Extract<DecodedEvent, { type: "commit" }>;
    expect(begin.xid).toBe(commit.xid);
    expect(begin.commitLsn).toBe(commit.commitLsn);
    expect(commit.endLsn).toBeGreaterThan(commit.commitLsn);
    expect(begin.commitTime).toEqual(commit.commitTime);
    expect(Math.abs(commit.commitTime.getTime() - Date.now())).toBeLessThan(60_000);
    for (const e of evs.slice(1, 5)) expect(e.type === "change" && e.xid).toBe(begin.xid);

    const [i1, i2, u, d] = changesOf(evs);
    expect(i1).toMatchObject({ kind: "insert", table: "language", key: [1] });
    expect(i1?.kind === "insert" && i1.row).toEqual({
      id: 1,
      name: "English",
      short: "en",
      flag: 1.5,
      flag_file: null,
      speaker: null,
      default_text: null,
      tts_replace: null,
      public: true,
      rtl: false,
    });
    // flag arrived as JSON null: NaN/±Infinity would too under wal2json 2.5.
    expect(i2).toMatchObject({ kind: "insert", key: [2], ambiguousNulls: ["flag"] });
    expect(u).toMatchObject({ kind: "update", key: [2], row: { name: "Deutsch" } });
    expect(u).not.toHaveProperty("oldKey");
    expect(d).toEqual({ kind: "delete", table: "language", key: [1], lsn: d!.lsn });
  });

  it("skips tables that are not mirrored and logical messages", async () => {
    await src.sql("INSERT INTO users (id, name) VALUES (1, 'ann')");
    // A non-transactional message is not flushed by itself: the next commit flushes it.
    await src.sql("SELECT pg_logical_emit_message(false, 'app', 'outside one')");
    await src.sql("SELECT pg_logical_emit_message(true, 'app', 'in a transaction')");
    const skips = (await events()).filter((e) => e.type === "skip");
    expect(skips.map((e) => e.type === "skip" && e.reason)).toEqual(["public.users is not mirrored", 'logical decoding message (prefix "app")', 'logical decoding message (prefix "app")']);
  });

  it("passes pg2convex's transactional messages (re-sync watermarks) on with their transaction, and skips the others", async () => {
    await src.sql("SELECT pg_logical_emit_message(true, 'pg2convex.watermark', '{\"r\":\"x\"}')");
    await src.sql("SELECT pg_logical_emit_message(false, 'pg2convex.watermark', 'outside')");
    await src.sql("SELECT pg_logical_emit_message(true, 'pg2convexnot', 'near miss')");
    const evs = await events();
    const messages = evs.filter((e) => e.type === "message");
    expect(messages).toHaveLength(1);
    const [m] = messages;
    const begin = evs.find((e) => e.type === "begin")!;
    expect(m).toMatchObject({ type: "message", prefix: "pg2convex.watermark", content: '{"r":"x"}', xid: begin.type === "begin" ? begin.xid : -1 });
    expect(evs.filter((e) => e.type === "skip")).toHaveLength(2);
  });

  it("decodes TRUNCATE as one truncate change per mirrored table (wal2json 2.5 emits T without extra options)", async () => {
    await src.sql("INSERT INTO story (id, set_id, set_index, author) VALUES (1, 1, 1, 1)");
    await src.sql("INSERT INTO story_done (id, story_id) VALUES (1, 1)");
    await src.changes();
    await src.sql("TRUNCATE users CASCADE");
    const evs = await events();
    const truncated = changesOf(evs).map((c) => (c.kind === "truncate" ? c.tables : []));
    expect(truncated.flat().sort()).toEqual(["story", "story_approval", "story_done"]);
    expect(
      evs
        .filter((e) => e.type === "skip")
        .map((e) => e.type === "skip" && e.reason)
        .sort(),
    ).toEqual(["public.accounts is not mirrored", "public.sessions is not mirrored", "public.users is not mirrored"]);
  });
});

describe("rows", () => {
  it("keeps int8 and numeric exact and decodes jsonb from wal2json's string", async () => {
    await src.sql(`INSERT INTO big (id, n, doc) VALUES (9007199254740993, 123456789012345678901234567890.123450, '{"a": [1, "x"], "$b": 1}')`);
    const msgs = await src.changes();
    expect(msgs.find((m) => m.text.includes('"action":"I"'))!.text).toContain('"value":9007199254740993');
    const [ins] = changesOf(msgs.map((m) => decoder.decode(m)));
    expect(ins).toMatchObject({ kind: "insert", key: [9007199254740993n], row: { id: 9007199254740993n, n: "123456789012345678901234567890.123450" } });
    expect(ins?.kind === "insert" && ins.row.doc).toEqual({ pg2c_text: '{"a": [1, "x"], "$b": 1}' });
  });

  it("leaves an unchanged TOASTed column undefined in an UPDATE (wal2json omits it), also when the key moves", async () => {
    const body = (await src.sql("SELECT string_agg(md5(random()::text), '') AS b FROM generate_series(1, 200)"))[0].b as string;
    await src.sql("INSERT INTO big (id, body, note) VALUES (1, $1, 'first')", [body]);
    await src.sql("UPDATE big SET note = 'second' WHERE id = 1");
    await src.sql("UPDATE big SET id = 2 WHERE id = 1");
    await src.sql("UPDATE big SET body = 'short' WHERE id = 2");
    const msgs = await src.changes();
    const updates = msgs.filter((m) => m.text.includes('"action":"U"'));
    expect(updates.map((m) => m.text.includes('"name":"body"'))).toEqual([false, false, true]);
    const [ins, u1, u2, u3] = changesOf(msgs.map((m) => decoder.decode(m)));
    expect(ins?.kind === "insert" && ins.row.body).toBe(body);
    for (const u of [u1, u2]) {
      if (u?.kind !== "update") throw new Error("expected an update");
      expect(Object.hasOwn(u.row, "body")).toBe(false);
      expect(u.row.note).toBe("second");
    }
    expect(u1).not.toHaveProperty("oldKey");
    expect(u2).toMatchObject({ key: [2n], oldKey: [1n] });
    expect(u3).toMatchObject({ key: [2n], row: { body: "short" } });
  });

  it("stream and backfill decode every type to the same value (one mapping)", async () => {
    const gender = { enumValues: ["MALE", "FEMALE"] };
    const every = tableDef(
      "every",
      ["id"],
      [
        c("id", "int4", { nullable: false }),
        c("i2", "int2"),
        c("i8", "int8"),
        c("f4", "float4"),
        c("f8", "float8"),
        c("n", "numeric"),
        c("t", "text"),
        c("b", "bool"),
        c("tz", "timestamptz"),
        c("ts", "timestamp"),
        c("d", "date"),
        c("u", "uuid"),
        c("jb", "jsonb"),
        c("j", "json"),
        c("by", "bytea"),
        c("e", "enum", gender),
        c("ta", "text", { array: true }),
        c("fa", "float8", { array: true }),
        c("ia", "int4", { array: true }),
        c("ba", "bytea", { array: true }),
        c("ja", "jsonb", { array: true }),
        c("ea", "enum", { ...gender, array: true }),
      ],
    );
    await src.sql(`CREATE TABLE every (id int PRIMARY KEY, i2 int2, i8 int8, f4 real, f8 float8, n numeric, t varchar(40), b bool,
      tz timestamptz, ts timestamp, d date, u uuid, jb jsonb, j json, by bytea, e speaker_gender, ta text[], fa float8[], ia int[],
      ba bytea[], ja jsonb[], ea speaker_gender[])`);
    await src.changes();
    await src.sql(`INSERT INTO every VALUES
      (1, -32768, -9223372036854775808, 1.1, 0.1, 1.50, 'tab\tquote"', true, '2026-11-21 19:19:06.92941+05:30', '0044-03-15 12:00 BC',
       '2026-11-21', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a": 1.0, "k": [true, null]}', '[1, 2.50, "x"]', '\\xdeadbeef', 'FEMALE',
       '{a,"b c",NULL,"NULL",""}', '{NaN,Infinity,-Infinity,NULL,1e-7}', '[0:1]={1,2}', '{"\\\\x00ff",NULL}', ARRAY['{"$k": 1}', '[1]']::jsonb[], '{MALE}'),
      (2, NULL, 9223372036854775807, -0.0, 1e308, 0, '', false, 'infinity', '-infinity', 'infinity', NULL, '{"pg2c_text": "x"}', '{"a":1,"a":2}',
       '\\x', NULL, '{}', '{}', '{{1,2},{3,4}}', '{}', '{}', '{}'),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const d = createDecoder([every]);
    const streamed = changesOf((await src.changes()).map((m) => d.decode(m)));
    const names = every.columns.map((c) => c.name);
    const backfill = await src.sql(`SELECT ${names.map((n) => `${n}::text AS ${n}`).join(", ")} FROM every ORDER BY id`);
    const { decodeText } = await import("../../src/decode");
    expect(streamed).toHaveLength(3);
    streamed.forEach((c, i) => {
      if (c.kind !== "insert") throw new Error("expected inserts");
      const fromText = Object.fromEntries(every.columns.map((cd) => [cd.name, decodeText(cd, backfill[i][cd.name])]));
      expect(c.row).toEqual(fromText);
    });
    const first = streamed[0]!.kind === "insert" ? streamed[0]!.row : {};
    expect(first).toMatchObject({ i8: -9223372036854775808n, f4: 1.1, n: "1.50", tz: Date.UTC(2026, 10, 21, 13, 49, 6) + 929.41, u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" });
    expect(first.ja).toEqual([{ pg2c_text: '{"$k": 1}' }, [1]]);
  });
});

describe("errors name table, key, column and LSN", () => {
  it("an unknown column in a mirrored table", async () => {
    await src.sql("ALTER TABLE avatar ADD COLUMN extra int");
    await src.sql("INSERT INTO avatar (id, link, extra) VALUES (7, 'x', 1)");
    const msg = (await src.changes()).find((m) => m.text.includes('"action":"I"'))!;
    const e = decodeFailure(() => decoder.decode(msg));
    expect(e.context).toEqual({ table: "avatar", key: [7], column: "extra", lsn: formatLsn(msg.lsn) });
    expect(e.message).toMatch(/not in the table definition/);
  });

  it("a NOT NULL column missing from an insert, and an enum label the definition lacks", async () => {
    const notNull = { nullable: false };
    const ghost = tableDef("avatar", ["id"], [c("id", "int4", notNull), c("link", "text", notNull), c("name", "text"), c("extra", "int4"), c("ghost", "text", notNull)]);
    const narrowSpeaker = tableDef(
      "speaker",
      ["id"],
      [
        c("id", "int4", notNull),
        c("language_id", "int4", notNull),
        c("speaker", "text", notNull),
        c("gender", "enum", { ...notNull, enumValues: ["MALE"] }),
        c("type", "enum", { ...notNull, enumValues: ["NORMAL", "NEURAL"] }),
        c("service", "text", notNull),
      ],
    );
    await src.sql("INSERT INTO language (id, name, short) VALUES (3, 'French', 'fr')");
    await src.sql("INSERT INTO avatar (id, link) VALUES (8, 'y')");
    await src.sql("INSERT INTO speaker (id, language_id, speaker, gender, type, service) VALUES (5, 3, 'amelie', 'FEMALE', 'NEURAL', 'x')");
    const msgs = (await src.changes()).filter((m) => m.text.includes('"action":"I"'));
    const d = createDecoder([ghost, narrowSpeaker]);
    const missing = decodeFailure(() => d.decode(msgs.find((m) => m.text.includes('"table":"avatar"'))!));
    expect(missing.context).toMatchObject({ table: "avatar", key: [8], column: "ghost" });
    const speakerMsg = msgs.find((m) => m.text.includes('"table":"speaker"'))!;
    const label = decodeFailure(() => d.decode(speakerMsg));
    expect(label.context).toEqual({ table: "speaker", key: [5], column: "gender", lsn: formatLsn(speakerMsg.lsn) });
    expect(label.message).toMatch(/"FEMALE"/);
  });

  it("a delete whose identity is not the primary key, and a record that is not JSON", async () => {
    await src.sql("CREATE UNIQUE INDEX avatar_link ON avatar (link)");
    await src.sql("ALTER TABLE avatar REPLICA IDENTITY USING INDEX avatar_link");
    await src.sql("DELETE FROM avatar WHERE id = 8");
    const del = (await src.changes()).find((m) => m.text.includes('"action":"D"'))!;
    const e = decodeFailure(() => decoder.decode(del));
    expect(e.context).toMatchObject({ table: "avatar", column: "id", lsn: formatLsn(del.lsn) });
    expect(e.fix).toMatch(/REPLICA IDENTITY/);
    expect(decodeFailure(() => decoder.decode({ lsn: 0x1234n, text: '{"action":"I",' })).context).toEqual({ lsn: "0/1234" });
    expect(decodeFailure(() => decoder.decode({ lsn: 1n, text: '{"action":"X"}' })).message).toMatch(/unknown wal2json action/);
  });
});
