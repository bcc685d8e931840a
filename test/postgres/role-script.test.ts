// roleScript run for real: the role it makes can read exactly the mirrored tables and create a logical
// slot, and nothing more. Also the checks as seen by under-privileged roles.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import pg from "pg";
import { referenceTables } from "../../tables/reference";
import { createSlotWithSnapshot, dropSlot, roleScript, runChecks, type CheckReport } from "../../src/postgres";
import { createTestDatabase, type TestDatabase } from "../support/pg";

const schemaSql = readFileSync(new URL("../../sql/reference-schema.sql", import.meta.url), "utf8");
const problems = (r: CheckReport) => r.failures.map((f) => `${f.name} ${f.subject ?? ""}`.trim()).sort();
const tag = `${process.pid}_${Date.now().toString(36)}`;
const mirror = `pg2c_mirror_${tag}`;
const narrow = `pg2c_narrow_${tag}`;
const norepl = `pg2c_norepl_${tag}`;

describe("roleScript", () => {
  let db: TestDatabase;
  const urlAs = (role: string) => db.url.replace("//postgres@", `//${role}@`);
  async function as<T>(role: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client(urlAs(role));
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase("sqlrole");
    await db.client.query(schemaSql);
  });
  afterAll(async () => {
    await db.drop();
    const admin = new pg.Client(inject("pgAdminUrl"));
    await admin.connect();
    for (const r of [mirror, narrow, norepl]) await admin.query(`DROP ROLE IF EXISTS ${r}`);
    await admin.end();
  });

  it("writes idempotent least-privilege SQL for exactly the mirrored tables", async () => {
    const script = roleScript({ role: mirror, tables: referenceTables, database: db.name, password: "s3cret-Pa55" });
    expect(script).toMatch(/DO \$pg2convex\$[\s\S]*IF NOT EXISTS[\s\S]*CREATE ROLE "pg2c_mirror_\w+" LOGIN REPLICATION;/);
    expect(script).toContain(`GRANT CONNECT ON DATABASE "${db.name}" TO "${mirror}";`);
    expect(script).toContain(`GRANT USAGE ON SCHEMA "public" TO "${mirror}";`);
    expect(script).toContain(`GRANT SELECT ON TABLE ${referenceTables.map((t) => `"public"."${t.name}"`).join(", ")} TO "${mirror}";`);
    expect(script).not.toMatch(/users|SUPERUSER|CREATEDB|CREATEROLE|BYPASSRLS|ALL PRIVILEGES|INSERT|UPDATE|DELETE/);
    expect(script).not.toContain("s3cret-Pa55");
    await db.client.query(script);
    await db.client.query(script); // a second run changes nothing and does not fail

    const { rows } = await db.client.query("SELECT rolsuper, rolreplication, rolcanlogin, rolcreatedb, rolcreaterole, rolbypassrls, rolpassword FROM pg_authid WHERE rolname = $1", [mirror]);
    expect(rows[0]).toMatchObject({ rolsuper: false, rolreplication: true, rolcanlogin: true, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false });
    expect(rows[0].rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it("lets the role SELECT the mirrored tables and nothing else", async () => {
    await as(mirror, async (c) => {
      for (const t of referenceTables) await expect(c.query(`SELECT count(*) FROM public.${t.name}`)).resolves.toBeTruthy();
      for (const sql of ["SELECT * FROM users", "SELECT * FROM sessions", "INSERT INTO language (name, short) VALUES ('x', 'x')", "UPDATE story SET name = 'x'", "CREATE TABLE public.evil (id int)"]) {
        await expect(c.query(sql), sql).rejects.toMatchObject({ code: "42501" });
      }
    });
  });

  it("lets the role emit re-sync watermarks (transactional logical messages)", async () => {
    await as(mirror, async (c) => {
      await expect(c.query("SELECT pg_logical_emit_message(true, 'pg2convex.watermark', '{}')")).resolves.toBeTruthy();
    });
  });

  it("lets the role pass every check and create, export and drop its slot", async () => {
    const report = await as(mirror, (c) => runChecks(c, referenceTables));
    expect(problems(report)).toEqual([]);
    const slot = `r_${tag}`;
    const created = await createSlotWithSnapshot(urlAs(mirror), slot);
    await as(mirror, async (c) => {
      await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      await c.query(`SET TRANSACTION SNAPSHOT '${created.snapshotName}'`);
      await c.query("SELECT * FROM story");
      await c.query("COMMIT");
      await created.release();
      await dropSlot(c, slot);
    });
  });

  it("emits a psql \\password line for password: 'prompt', and nothing for no password", () => {
    const prompt = roleScript({ role: mirror, tables: referenceTables, database: db.name, password: "prompt" });
    expect(prompt).toContain(`\\password "${mirror}"`);
    expect(prompt).not.toMatch(/PASSWORD '/);
    expect(roleScript({ role: mirror, tables: referenceTables, database: db.name })).not.toMatch(/PASSWORD|\\password/);
  });

  it("rejects role names that would need quoting inside the script", () => {
    for (const bad of ["", "9lives", "has-dash", "quote'd", "a".repeat(64)]) {
      expect(() => roleScript({ role: bad, tables: referenceTables, database: db.name }), bad).toThrow(/invalid role name/);
    }
  });

  it("reports missing SELECT grants, REPLICATION and row-level security for weaker roles", async () => {
    await db.client.query(roleScript({ role: narrow, tables: referenceTables.slice(0, 1), database: db.name }));
    const narrowReport = await as(narrow, (c) => runChecks(c, referenceTables));
    expect(problems(narrowReport)).toEqual(
      referenceTables
        .slice(1)
        .map((t) => `select_privilege public.${t.name}`)
        .sort(),
    );
    expect(narrowReport.failures[0]!.fix).toMatch(new RegExp(`^GRANT SELECT ON "public"\\."\\w+" TO "${narrow}";$`));

    await db.client.query(`CREATE ROLE ${norepl} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${norepl}`);
    await db.client.query("ALTER TABLE story ENABLE ROW LEVEL SECURITY");
    try {
      const report = await as(norepl, (c) => runChecks(c, referenceTables));
      expect(problems(report)).toEqual(["replication_role", "row_security public.story", "wal2json"]);
      const byName = (n: string) => report.failures.find((f) => f.name === n)!;
      expect(byName("replication_role").fix).toBe(`as a superuser: ALTER ROLE "${norepl}" REPLICATION;`);
      expect(byName("wal2json").level).toBe("skip");
      expect(byName("row_security").fix).toBe(`as a superuser: ALTER ROLE "${norepl}" BYPASSRLS;`);
    } finally {
      await db.client.query("ALTER TABLE story DISABLE ROW LEVEL SECURITY");
    }
  });
});
