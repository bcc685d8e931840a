// Issue 12 checks against real PostgreSQL: a database column missing from the definitions is refused unless
// excluded; a partitioned table is accepted and its partitions' replica identity is checked; a foreign-key cycle
// declared with one non-ordering reference passes both the graph and the undeclared-foreign-key check; a composite foreign key or one to a non-key column is a warning (raw keys).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks, type CheckReport } from "../../src/postgres";
import { tableChecks } from "../../src/postgres/checks/run";
import { col, defineTable } from "../../src/definitions/define";
import { createTestDatabase, type TestDatabase } from "../support/pg";

const problems = (r: CheckReport) => r.failures.map((f) => `${f.name} ${f.subject ?? ""}`.trim()).sort();

describe("schema checks (issue 12)", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("sqlschema");
    await db.client.query(`
      CREATE TABLE doc (id int PRIMARY KEY, title text, fulltext tsvector, extra int);
      CREATE TABLE measure (id int, at date NOT NULL, v int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
      CREATE TABLE measure_2024 PARTITION OF measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE measure_2025 PARTITION OF measure FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY RANGE (at);
      CREATE TABLE measure_2025h1 PARTITION OF measure_2025 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
      CREATE TABLE store (id int PRIMARY KEY, manager_staff_id int);
      CREATE TABLE staff (id int PRIMARY KEY, store_id int REFERENCES store(id));
      ALTER TABLE store ADD FOREIGN KEY (manager_staff_id) REFERENCES staff(id);
      CREATE TABLE pair (x int, y int, code text NOT NULL UNIQUE, PRIMARY KEY (x, y));
      CREATE TABLE pair_note (id int PRIMARY KEY, x int, y int, code text REFERENCES pair(code), FOREIGN KEY (x, y) REFERENCES pair(x, y));`);
  });
  afterAll(() => db.drop());

  const doc = (exclude: string[]) => defineTable({ name: "doc", primaryKey: ["id"], columns: { id: col.int4().notNull(), title: col.text() }, exclude });
  const measure = defineTable({ name: "measure", primaryKey: ["id", "at"], columns: { id: col.int4().notNull(), at: col.date().notNull(), v: col.int4() } });
  const store = defineTable({ name: "store", primaryKey: ["id"], columns: { id: col.int4().notNull(), manager_staff_id: col.int4() }, references: { manager_staff_id: { table: "staff", ordering: false } } });
  const staff = defineTable({ name: "staff", primaryKey: ["id"], columns: { id: col.int4().notNull(), store_id: col.int4() }, references: { store_id: "store" } });

  it("warns (does not refuse) about foreign keys that cannot be references: composite, or to a non-key column", async () => {
    const pair = defineTable({ name: "pair", primaryKey: ["x", "y"], columns: { x: col.int4().notNull(), y: col.int4().notNull(), code: col.text().notNull() } });
    const note = defineTable({ name: "pair_note", primaryKey: ["id"], columns: { id: col.int4().notNull(), x: col.int4(), y: col.int4(), code: col.text() } });
    const report = await runChecks(db.client, [pair, note]);
    expect(report.failures).toEqual([]);
    expect(
      report.warnings
        .filter((w) => w.name === "raw_fk")
        .map((w) => w.subject)
        .sort(),
    ).toEqual(["public.pair_note", "public.pair_note.code"]);
    expect(report.warnings.find((w) => w.subject === "public.pair_note")!.message).toMatch(/is composite \(x, y\)/);
  });

  it("refuses database columns missing from the definitions, naming table and column with the fix", async () => {
    const report = await tableChecks(db.client, [doc([])]);
    expect(problems(report)).toEqual(["column_undeclared public.doc.extra", "column_undeclared public.doc.fulltext"]);
    const f = report.failures.find((r) => r.subject === "public.doc.fulltext")!;
    expect(f.message).toBe("column fulltext (tsvector) of public.doc is not in the definition of doc");
    expect(f.fix).toMatch(/exclude: \["fulltext"\]/);
  });

  it("accepts excluded columns and warns about an excluded column that does not exist", async () => {
    const ok = await tableChecks(db.client, [doc(["fulltext", "extra"])]);
    expect(ok.failures).toEqual([]);
    const warned = await tableChecks(db.client, [doc(["fulltext", "extra", "gone"])]);
    expect(warned.ok).toBe(true);
    expect(warned.warnings.map((w) => w.subject)).toEqual(["public.doc.gone"]);
  });

  it("accepts a partitioned table and checks the replica identity of every leaf, sub-partitions included", async () => {
    const report = await runChecks(db.client, [measure]);
    expect(report.failures).toEqual([]);
    expect(report.results.find((r) => r.name === "table_exists")?.message).toMatch(/partitioned table/);
    expect(report.results.find((r) => r.name === "replica_identity")?.message).toBe("2 partition(s) carry their keys");
    await db.client.query("ALTER TABLE measure_2025h1 REPLICA IDENTITY NOTHING");
    try {
      const bad = await tableChecks(db.client, [measure]);
      expect(problems(bad)).toEqual(["replica_identity public.measure_2025h1"]);
      expect(bad.failures[0]!.fix).toBe('ALTER TABLE "public"."measure_2025h1" REPLICA IDENTITY DEFAULT;');
    } finally {
      await db.client.query("ALTER TABLE measure_2025h1 REPLICA IDENTITY DEFAULT");
    }
  });

  it("accepts a foreign-key cycle with one non-ordering reference (declared, so not an undeclared foreign key)", async () => {
    const report = await runChecks(db.client, [staff, store]);
    expect(report.failures).toEqual([]);
    expect(report.results[0]!.message).toMatch(/store → staff/);
    // Without the reference declared at all, the undeclared-FK check refuses (it is needed for the ids).
    const undeclared = defineTable({ name: "store", primaryKey: ["id"], columns: { id: col.int4().notNull(), manager_staff_id: col.int4() } });
    expect(problems(await runChecks(db.client, [staff, undeclared]))).toEqual(["undeclared_fk public.store.manager_staff_id"]);
  });

  it("wal2json shows a row moved between partitions as a DELETE from the old leaf and an INSERT into the new one, in one transaction", async () => {
    await db.client.query("SELECT pg_create_logical_replication_slot('schema_move', 'wal2json')");
    try {
      await db.client.query("INSERT INTO measure VALUES (1, '2024-05-01', 1)");
      await db.client.query("UPDATE measure SET at = '2025-02-01' WHERE id = 1");
      const { rows } = await db.client.query("SELECT data FROM pg_logical_slot_get_changes('schema_move', NULL, NULL, 'format-version', '2', 'include-xids', '1')");
      const recs = rows.map((r) => JSON.parse(r.data as string) as { action: string; xid?: number; table?: string; identity?: Array<{ name: string; value: unknown }> });
      const update = recs.slice(recs.findIndex((r, i) => i > 0 && r.action === "B"));
      expect(update.map((r) => `${r.action}${r.table ? ` ${r.table}` : ""}`)).toEqual(["B", "D measure_2024", "I measure_2025h1", "C"]);
      expect(new Set(update.map((r) => r.xid)).size).toBe(1);
      expect(update[1]!.identity?.map((c) => c.name)).toEqual(["id", "at"]);
    } finally {
      await db.client.query("SELECT pg_drop_replication_slot('schema_move')");
    }
  });
});
