// runChecks against real PostgreSQL 15 + wal2json: the reference schema passes; a deliberately broken
// schema reports every problem together, each with its fix.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Pg2ConvexError } from "../../src/errors";
import { referenceTables } from "../../tables/reference";
import { assertChecks, runChecks, type CheckReport } from "../../src/postgres";
import { col, defineTable } from "../../src/definitions/define";
import { createTestDatabase, type TestDatabase } from "../support/pg";

const schemaSql = readFileSync(new URL("../../sql/reference-schema.sql", import.meta.url), "utf8");
const problems = (r: CheckReport) => r.failures.map((f) => `${f.name} ${f.subject ?? ""}`.trim()).sort();

describe("runChecks on the reference schema", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("sqlref");
    await db.client.query(schemaSql);
  });
  afterAll(() => db.drop());

  it("passes every check with no warnings", async () => {
    const report = await runChecks(db.client, referenceTables);
    expect(report.failures).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.ok).toBe(true);
    const names = new Set(report.results.map((r) => r.name));
    for (const n of ["graph", "server_version", "wal_level", "replication_slots", "wal_senders", "replication_role", "wal2json", "table_exists", "select_privilege", "replica_identity", "primary_key", "columns", "references"]) {
      expect(names, n).toContain(n);
    }
    expect(() => assertChecks(report)).not.toThrow();
    // The probe slot is gone again.
    // This database's probe slots only: a bridge starting in another test file probes too, and its probe was
    // blocked by the transaction above (slot creation waits for every running xid), so it appears right now.
    const { rows } = await db.client.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'pg2convex_probe%' AND database = current_database()");
    expect(rows).toEqual([]);
  });

  it("reports a missing output plugin with the install command", async () => {
    const report = await runChecks(db.client, referenceTables, { plugin: "no_such_plugin" });
    expect(problems(report)).toEqual(["wal2json"]);
    expect(report.failures[0]!.message).toMatch(/not installed/);
    expect(report.failures[0]!.fix).toMatch(/apt-get install postgresql-15-wal2json/);
  });

  it("reports a probe blocked by a long-running transaction instead of hanging", async () => {
    const holder = new pg.Client(db.url);
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("INSERT INTO avatar (link) VALUES ('x')"); // takes an xid: logical slot creation waits for it
      const report = await runChecks(db.client, referenceTables, { probeTimeoutMs: 500 });
      expect(problems(report)).toEqual(["wal2json"]);
      expect(report.failures[0]!.message).toMatch(/timed out/);
      expect(report.failures[0]!.fix).toMatch(/pg_stat_activity/);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    // This database's probe slots only: a bridge starting in another test file probes too, and its probe was
    // blocked by the transaction above (slot creation waits for every running xid), so it appears right now.
    const { rows } = await db.client.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'pg2convex_probe%' AND database = current_database()");
    expect(rows).toEqual([]);
  });
});

describe("runChecks on a broken schema", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("sqlbad");
    await db.client.query(`
      CREATE TYPE mood AS ENUM ('happy', 'sad', 'angry');
      CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
      CREATE TABLE users (id serial PRIMARY KEY);
      CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE other (id int PRIMARY KEY, code text NOT NULL UNIQUE);
      CREATE TABLE nothing_ident (id int PRIMARY KEY, v text);
      ALTER TABLE nothing_ident REPLICA IDENTITY NOTHING;
      CREATE TABLE no_pk (id int, v text);
      CREATE TABLE full_ident (code text NOT NULL UNIQUE, v int);
      ALTER TABLE full_ident REPLICA IDENTITY FULL;
      CREATE TABLE idx_ident (id int PRIMARY KEY, k int NOT NULL UNIQUE);
      ALTER TABLE idx_ident REPLICA IDENTITY USING INDEX idx_ident_k_key;
      CREATE TABLE child (
        id int PRIMARY KEY,
        parent_id int REFERENCES other(id),
        other_id int REFERENCES parent(id),
        other_code text REFERENCES other(code),
        owner int REFERENCES users(id),
        mood mood NOT NULL,
        moods mood[],
        tags varchar(20)[],
        contact email,
        big bigint,
        note text
      );`);
  });
  afterAll(() => db.drop());

  const tables = [
    defineTable({ name: "parent", primaryKey: ["id"], columns: { id: col.int4().notNull(), name: col.text() } }),
    defineTable({ name: "other", primaryKey: ["id"], columns: { id: col.int4().notNull(), code: col.text().notNull() } }),
    defineTable({ name: "nothing_ident", primaryKey: ["id"], columns: { id: col.int4().notNull(), v: col.text() } }),
    defineTable({ name: "no_pk", primaryKey: ["id"], columns: { id: col.int4(), v: col.text() } }),
    defineTable({ name: "full_ident", primaryKey: ["code"], columns: { code: col.text().notNull(), v: col.int4() } }),
    defineTable({ name: "idx_ident", primaryKey: ["id"], columns: { id: col.int4().notNull(), k: col.int4().notNull() } }),
    defineTable({ name: "ghost", primaryKey: ["id"], columns: { id: col.int4().notNull() } }),
    defineTable({
      name: "child",
      primaryKey: ["id"],
      columns: {
        id: col.int4().notNull(),
        parent_id: col.int4(),
        other_id: col.int4(),
        other_code: col.text(),
        owner: col.int4(),
        mood: col.enum(["happy", "sad", "furious"]).notNull(),
        // Plain column specs (the builder spells arrays as a method): an enum array and a text array.
        moods: { type: "enum", nullable: true, array: true, enumValues: ["happy", "sad", "angry"] },
        tags: { type: "text", nullable: true, array: true },
        contact: col.text(),
        big: col.int4(),
        note: col.text().notNull(),
        missing_col: col.text(),
      },
      references: { parent_id: "parent", other_code: "other" },
    }),
  ];

  it("reports every problem together, each with a fix", async () => {
    const report = await runChecks(db.client, tables);
    expect(report.ok).toBe(false);
    expect(problems(report)).toEqual([
      "column_exists public.child.missing_col",
      "column_nullability public.child.note",
      "column_type public.child.big",
      "enum_labels public.child.mood",
      "graph",
      "primary_key public.no_pk",
      "reference_fk public.child.other_code",
      "reference_fk public.child.parent_id",
      "replica_identity public.idx_ident",
      "replica_identity public.no_pk",
      "replica_identity public.nothing_ident",
      "table_exists public.ghost",
      "undeclared_fk public.child.other_id",
      "undeclared_fk public.child.parent_id",
    ]);
    for (const f of report.failures) expect(f.fix, `${f.name} ${f.subject}`).toMatch(/\S/);
    expect(report.warnings.map((w) => w.subject)).toEqual(["public.parent.name"]);

    const by = (name: string, subject: string) => report.results.find((r) => r.name === name && r.subject === subject)!;
    expect(by("replica_identity", "public.nothing_ident").fix).toBe('ALTER TABLE "public"."nothing_ident" REPLICA IDENTITY DEFAULT;');
    expect(by("replica_identity", "public.no_pk").fix).toMatch(/ADD PRIMARY KEY \("id"\).*REPLICA IDENTITY FULL/);
    expect(by("replica_identity", "public.full_ident").level).toBe("pass");
    expect(by("primary_key", "public.full_ident").level).toBe("pass");
    expect(by("enum_labels", "public.child.mood").message).toMatch(/missing angry; unknown furious/);
    expect(by("enum_labels", "public.child.mood").fix).toBe('declare mood: col.enum(["happy","sad","angry"]) in the definition of child');
    expect(by("column_type", "public.child.big").message).toMatch(/declared int4 but is bigint/);
    expect(by("reference_fk", "public.child.parent_id").message).toMatch(/its foreign key is child_parent_id_fkey → public.other\(id\)/);
    expect(by("reference_fk", "public.child.other_code").message).toMatch(/references other\(code\), not its primary key \(id\)/);
    // Declared as a reference, other_code (text) would be matched with other's int4 key: the definitions refuse it too.
    expect(report.failures.find((f) => f.name === "graph")!.message).toContain("child.other_code (text) references other.id (int4)");
    expect(by("undeclared_fk", "public.child.other_id").fix).toBe('declare references: { other_id: "parent" } in the definition of child');
    // The foreign key to the unmirrored users table is fine; domains, enum arrays and varchar[] map.
    expect(report.results.some((r) => r.subject === "public.child.owner")).toBe(false);
    for (const c of ["moods", "tags", "contact"]) expect(report.results.some((r) => r.subject === `public.child.${c}` && r.level !== "pass")).toBe(false);
  });

  it("assertChecks throws one PG_CHECK_FAILED listing all failures and fixes", async () => {
    const report = await runChecks(db.client, tables);
    let err: unknown;
    try {
      assertChecks(report);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Pg2ConvexError);
    const e = err as Pg2ConvexError;
    expect(e.code).toBe("PG_CHECK_FAILED");
    expect(e.message).toMatch(/^14 PostgreSQL checks failed:/);
    for (const f of report.failures) {
      expect(e.message).toContain(f.message);
      expect(e.message).toContain(`fix: ${f.fix}`);
    }
    expect(e.fix).toMatch(/apply each fix/);
  });

  it("reports a reference cycle in the definitions alongside the database checks", async () => {
    const a = defineTable({ name: "parent", primaryKey: ["id"], columns: { id: col.int4().notNull(), name: col.text().notNull() }, references: { name: "other" } });
    const b = defineTable({ name: "other", primaryKey: ["id"], columns: { id: col.int4().notNull(), code: col.text().notNull() }, references: { code: "parent" } });
    const report = await runChecks(db.client, [a, b]);
    expect(problems(report)).toEqual(["graph", "reference_fk public.other.code", "reference_fk public.parent.name"]);
    expect(report.failures[0]!.message).toMatch(/cycle: parent → other via parent.name, other → parent via other.code/);
  });
});

describe("runChecks on foreign keys between different types", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("sqlreftypes");
    // Each foreign key is one PostgreSQL accepts.
    await db.client.query(`
      CREATE TABLE p4 (id integer PRIMARY KEY);
      CREATE TABLE p8 (id bigint PRIMARY KEY);
      CREATE TABLE pt (id text PRIMARY KEY);
      CREATE TABLE pc (id character(5) PRIMARY KEY);
      CREATE TABLE kid (id integer PRIMARY KEY, p4_id bigint REFERENCES p4, p8_id integer REFERENCES p8,
        pt_id character(5) REFERENCES pt, pc_id text REFERENCES pc, pc5_id character(5) REFERENCES pc, v_id varchar(9) REFERENCES pt);
      CREATE TABLE kn (id integer PRIMARY KEY, n integer REFERENCES p8)`);
  });
  afterAll(() => db.drop());
  const parents = [
    defineTable({ name: "p4", primaryKey: ["id"], columns: { id: col.int4().notNull() } }),
    defineTable({ name: "p8", primaryKey: ["id"], columns: { id: col.int8().notNull() } }),
    defineTable({ name: "pt", primaryKey: ["id"], columns: { id: col.text().notNull() } }),
    defineTable({ name: "pc", primaryKey: ["id"], columns: { id: col.text().notNull() } }),
  ];

  it("accepts integers of different widths and text against varchar; refuses character(n) against another text type", async () => {
    const kid = defineTable({
      name: "kid",
      primaryKey: ["id"],
      columns: { id: col.int4().notNull(), p4_id: col.int8(), p8_id: col.int4(), pt_id: col.text(), pc_id: col.text(), pc5_id: col.text(), v_id: col.text() },
      references: { p4_id: "p4", p8_id: "p8", pt_id: "pt", pc_id: "pc", pc5_id: "pc", v_id: "pt" },
    });
    const report = await runChecks(db.client, [...parents, kid]);
    expect(problems(report)).toEqual(["reference_type public.kid.pc_id", "reference_type public.kid.pt_id"]);
    const pt = report.failures.find((f) => f.subject === "public.kid.pt_id")!;
    expect(pt.message).toContain("public.kid.pt_id (character(5)) references pt.id (text)");
    expect(pt.fix).toContain('ALTER COLUMN "pt_id" TYPE text');
    expect(report.failures.find((f) => f.subject === "public.kid.pc_id")!.message).toContain("public.kid.pc_id (text) references pc.id (character(5))");
  });

  it("refuses, among the definition checks, a declared pair of different types the mirror cannot match", async () => {
    const kn = defineTable({ name: "kn", primaryKey: ["id"], columns: { id: col.int4().notNull(), n: col.numeric() }, references: { n: "p8" } });
    const report = await runChecks(db.client, [parents[1]!, kn]);
    expect(problems(report)).toContain("graph");
    expect(report.failures.find((f) => f.name === "graph")!.message).toContain("kn.n (numeric) references p8.id (int8)");
  });
});
