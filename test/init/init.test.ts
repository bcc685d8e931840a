// `pg2convex init` against real PostgreSQL on sql/test/any-schema.sql: the generated module typechecks (tsc),
// loads and passes the graph validation (init --check does both), keeps hand-written derived fields when
// run again, and `init --check` exits 0 on the unchanged database and 1 after ADD COLUMN / a new enum label.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process";
import { createTestDatabase, type TestDatabase } from "../support/pg";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let db: TestDatabase;
let app: string;

async function cli(...args: string[]) {
  const p = spawnCli(["init", "--database-url", db.url, "--out", join(app, "tables"), "--convex-dir", join(app, "convex"), ...args], {});
  const { code } = await p.exited(60_000);
  return { code, out: p.stdout(), err: p.stderr() };
}

beforeAll(async () => {
  db = await createTestDatabase("init");
  await db.client.query(readFileSync(join(ROOT, "sql/test/any-schema.sql"), "utf8"));
  // A scratch app that installed pg2convex from this checkout (the bin resolves "pg2convex" to the sources).
  app = mkdtempSync(join(tmpdir(), "pg2convex-init-"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  mkdirSync(join(app, "node_modules"));
  symlinkSync(ROOT, join(app, "node_modules", "pg2convex"));
  symlinkSync(join(ROOT, "node_modules", "convex"), join(app, "node_modules", "convex"));
});

afterAll(async () => {
  await db?.drop();
  if (app && !process.env.KEEP_INIT_APP) rmSync(app, { recursive: true, force: true });
});

describe("pg2convex init on a schema with every hard shape", () => {
  it("writes definitions that typecheck, with keys, references, the cycle, partitions and exclusions declared", async () => {
    const r = await cli("--exclude-tables", "legacy_users");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("not mirrored: audit_log: no primary key");
    const text = readFileSync(join(app, "tables/index.ts"), "utf8");
    // Keys: composite and uuid.
    expect(text).toMatch(/name: "membership",\n {2}primaryKey: \["org_id", "account_id"\],/);
    expect(text).toContain("    id: col.uuid().notNull(),");
    // Enum (labels in order), domains by base type, arrays, generated column, uncovered types as text.
    expect(text).toContain('    mood: col.enum(["sad", "ok", "happy"]), // enum public.mood');
    expect(text).toContain('    moods: col.enum(["sad", "ok", "happy"]).asArray(),');
    expect(text).toMatch(/ {4}email: col\.text\(\)\.notNull\(\), \/\/ domain public\.email over text/);
    expect(text).toMatch(/ {4}qty: col\.int4\(\)\.notNull\(\), \/\/ domain public\.posint over integer/);
    expect(text).toMatch(/ {4}session_length: col\.pgText\("interval"\), \/\/ domain public\.duration over interval/);
    expect(text).toContain('    durations: col.pgText("interval").asArray(),');
    expect(text).toMatch(/ {4}total: col\.numeric\(\), \/\/ generated \(STORED\)/);
    for (const t of ["inet", "cidr", "macaddr", "money", "point", "bit(4)", "int4range", "xml", "time without time zone", "time with time zone", "tsvector", "name"]) expect(text).toContain(`col.pgText(${JSON.stringify(t)})`);
    expect(text).toContain("    tags: col.text().asArray().notNull(),");
    // Partitioned parent declared once; its leaves never.
    expect(text).toContain('name: "measurement",');
    expect(text).toContain("its partitions (measurement_2025, measurement_2026) are never declared");
    expect(text).not.toMatch(/name: "measurement_20/);
    // The cycle: exactly one edge non-ordering (the nullable one), with the reason; the self-reference stays ordering.
    expect(text).toMatch(/manager_staff_id: \{ table: "staff", ordering: false \}, \/\/ non-ordering: breaks the foreign-key cycle store → staff → store/);
    expect(text).toContain('    store_id: "store",');
    expect(text).toContain('    boss_id: "staff",');
    expect(text.match(/ordering: false/g)).toHaveLength(1);
    // Foreign keys that cannot be references stay raw, saying why; excluded and skipped tables are listed.
    expect(text).toContain("foreign key membership_note_org_id_account_id_fkey (org_id, account_id) → membership(org_id, account_id) is composite");
    expect(text).toContain("country_code: col.text(), // → country(code): not country's primary key (id), so it stays a raw key");
    expect(text).toContain("legacy_user_id: col.int4(), // → legacy_users(id): excluded (--exclude-tables), so it stays a raw key");
    expect(text).toContain("// Not mirrored on purpose (--exclude-tables): legacy_users.");
    expect(text).not.toContain('name: "legacy_users"');
    expect(text).not.toContain('name: "audit_log"');
    expect(readFileSync(join(app, "convex/schema.ts"), "utf8")).toContain('import { tables } from "../tables";');

    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", customConditions: ["pg2convex-source"], strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ["tables", "convex"] }),
    );
    try {
      execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", app], { encoding: "utf8" });
    } catch (e) {
      throw new Error(`tsc failed on the generated app:\n${(e as { stdout?: string }).stdout ?? ""}`, { cause: e });
    }
  });

  it("init --check loads the module, validates its graph and finds no difference; re-running keeps derived fields", async () => {
    expect(await cli("--check")).toMatchObject({ code: 0, out: expect.stringContaining("definitions match PostgreSQL schema public (10 tables)") });
    const derived = `import type { DerivedDef } from "pg2convex";\nexport const derived: Readonly<Record<string, readonly DerivedDef[]>> = {\n  store: [{ kind: "count", field: "staff_count", from: "staff", via: "store_id" }],\n};\n`;
    writeFileSync(join(app, "tables/derived.ts"), derived);
    const before = readFileSync(join(app, "tables/index.ts"), "utf8");
    const again = await cli(); // no options: the recorded ones (--exclude-tables legacy_users) apply again
    expect(again.code).toBe(0);
    expect(again.out).toContain("unchanged");
    expect(again.out).toContain("kept");
    expect(readFileSync(join(app, "tables/derived.ts"), "utf8")).toBe(derived);
    expect(readFileSync(join(app, "tables/index.ts"), "utf8")).toBe(before);
    expect((await cli("--check")).code).toBe(0);
  });

  it("a stored generated column is in wal2json's change records, which is why init declares it", async () => {
    await db.client.query("SELECT pg_create_logical_replication_slot('init_gen', 'wal2json')");
    await db.client.query("INSERT INTO line_item (qty, price) VALUES (3, 1.50)");
    const { rows } = await db.client.query("SELECT data FROM pg_logical_slot_get_changes('init_gen', NULL, NULL, 'format-version', '2')");
    await db.client.query("SELECT pg_drop_replication_slot('init_gen')");
    const insert = rows.map((r) => JSON.parse(r.data)).find((m) => m.action === "I");
    expect(insert.columns).toContainEqual({ name: "total", type: "numeric", value: 4.5 });
  });

  it("init --check exits 1 naming an added column and a new enum label", async () => {
    await db.client.query("ALTER TABLE account ADD COLUMN bio text");
    const added = await cli("--check");
    expect(added.code).toBe(1);
    expect(added.out).toContain("account.bio: column added in PostgreSQL (col.text())");
    await db.client.query("ALTER TABLE account DROP COLUMN bio");
    expect((await cli("--check")).code).toBe(0);
    await db.client.query("ALTER TYPE mood ADD VALUE 'ecstatic'");
    const label = await cli("--check");
    expect(label.code).toBe(1);
    expect(label.out).toContain('account.mood: enum labels added "ecstatic"');
    expect(label.out).toContain("account.moods: enum labels added");
  });
});
