// Issue 12 acceptance, end to end through the real CLI as a user runs it: sql/test/any-schema.sql (written for
// the issue, not derived from the reference schema: a partitioned table, the store ↔ staff cycle, domains,
// composite and uuid keys, every base type) with seed rows goes `init` → `local-convex --convex-dir` (the app's
// own generated convex/ folder) → `setup` → `run`, then a live load with a row moved between partitions, a
// partition created while streaming, a new enum label, ADD COLUMN and DROP COLUMN of a declared column.
// Asserted: the known tables and columns converge row for row with PostgreSQL (the oracle, with the TableSet
// the app's generated module exports), and every change the definitions cannot hold is visible: /healthz
// degraded naming table and column, `status` listing it, its values kept in pg2c_drift.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { waitUntil } from "../support/wait";
import { convexRows, diffRows, pgRows, type RowDiff } from "../support/oracle/full-compare";
import { createMirrorReader, type MirrorReader } from "../../src/convex-client/mirror-reader";
import type { TableDef, TableSet } from "../../src/definitions/types";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/pg2convex.mjs");
const ADMIN_KEY = "acceptance-admin-key";

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

function spawnLong(args: string[], env: Record<string, string>, cwd: string): { child: ChildProcess; output: () => string } {
  let out = "";
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return { child, output: () => out };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The app's TableSet, loaded as the CLI loads it (src/definitions/import-module.ts: tsx's tsImport, with "pg2convex"
 * resolved to this checkout's sources as bin/pg2convex.mjs arranges), in a child process: in vitest's own process
 * that resolution condition is absent. Table definitions are plain data, so JSON carries them whole.
 */
function loadTables(modulePath: string): TableSet {
  const script = `const { importUserModule } = await import(${JSON.stringify(join(ROOT, "src/definitions/import-module.ts"))}); process.stdout.write(JSON.stringify((await importUserModule(${JSON.stringify(modulePath)})).tables));`;
  const out = execFileSync(process.execPath, ["--conditions=pg2convex-source", "--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out) as TableSet;
}

/** JSON with int8 (bigint) values as numbers. */
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? Number(x) : x));

const A1 = "00000000-0000-4000-8000-000000000001";
const A2 = "00000000-0000-4000-8000-000000000002";
const A3 = "00000000-0000-4000-8000-000000000003";
const A4 = "00000000-0000-4000-8000-000000000004";
const A5 = "00000000-0000-4000-8000-000000000005";

// A few rows per mirrored table (and the excluded/unmirrored ones), NULLs included, the cycle closed, both leaves.
const SEED = `
INSERT INTO legacy_users VALUES (1, 'x'), (2, 'y');
INSERT INTO country VALUES (1, 'FR', 'France'), (2, 'DE', 'Germany'), (3, 'IT', 'Italy');
INSERT INTO account (id, email, mood, moods, tags, nickname, session_length, durations, last_ip, network, mac, balance, home, flags, ages, profile, wakes_at, wakes_at_tz, fulltext, legacy_user_id, created_at) VALUES
  ('${A1}', 'a@x.io', 'happy', '{sad,ok}', '{a,b}', 'ann', '1 hour 30 minutes', '{1 day,00:00:05}', '10.0.0.1', '10.0.0.0/8', '08:00:2b:01:02:03', 12.34, '(1,2)', B'1010', '[1,10)', '<p>hi</p>', '07:30', '07:30+02', 'quick brown fox', 1, '2025-01-02T03:04:05Z'),
  ('${A2}', 'b@x.io', NULL, NULL, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2025-02-03T04:05:06Z'),
  ('${A3}', 'c@x.io', 'sad', '{}', '{"with space","quote\\"d"}', 'cee', '-2 days', '{}', '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', -0.5, '(-1.5,0)', B'0000', 'empty', '<a/>', '23:59:59.999', '00:00-05', '', 2, '2025-03-04T05:06:07Z');
INSERT INTO org VALUES (1, 'acme', 1), (2, 'globex', NULL);
INSERT INTO membership VALUES (1, '${A1}', 'owner'), (1, '${A2}', 'member'), (2, '${A1}', 'admin');
INSERT INTO membership_note (org_id, account_id, note) VALUES (1, '${A1}', 'founder'), (1, '${A2}', NULL);
INSERT INTO address VALUES (1, 'FR', '1 rue X'), (2, NULL, NULL), (3, 'DE', 'Hauptstr. 2');
INSERT INTO line_item (qty, price) VALUES (3, 1.50), (1, 99.99);
INSERT INTO measurement VALUES (1, '2025-06-01', 1.5, '${A1}'), (2, '2025-12-31', NULL, NULL), (3, '2026-01-01', -2.25, '${A3}'), (4, '2026-07-04', 1e10, '${A2}');
INSERT INTO store VALUES (1, 'north', NULL), (2, 'south', NULL);
INSERT INTO staff VALUES (10, 1, NULL, 'boss'), (11, 1, 10, 'ann'), (20, 2, NULL, 'bob');
UPDATE store SET manager_staff_id = 10 WHERE id = 1;
INSERT INTO audit_log (message) VALUES ('seeded'), (NULL);
`;

describe("issue 12 acceptance: any schema, init → setup → run → live load with schema changes", () => {
  let db: TestDatabase;
  let app: string;
  let vars: Record<string, string>;
  let convex: ReturnType<typeof spawnLong> | undefined;
  let run: ReturnType<typeof spawnLong> | undefined;
  let reader: MirrorReader;
  let healthUrl: string;
  let tables: TableSet;

  beforeAll(async () => {
    db = await createTestDatabase("anyschema");
    await db.client.query(readFileSync(join(ROOT, "sql/test/any-schema.sql"), "utf8"));
    await db.client.query(SEED);
    // A scratch app that installed pg2convex from this checkout, as test/init/init.test.ts makes it.
    app = mkdtempSync(join(tmpdir(), "pg2convex-accept-"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    mkdirSync(join(app, "node_modules"));
    symlinkSync(ROOT, join(app, "node_modules", "pg2convex"));
    symlinkSync(join(ROOT, "node_modules", "convex"), join(app, "node_modules", "convex"));
  });

  afterAll(async () => {
    await stop(run?.child);
    await stop(convex?.child);
    await db?.drop();
    if (app && !process.env.KEEP_ACCEPT_APP) rmSync(app, { recursive: true, force: true });
  });

  it("init writes the app's definitions and convex/ folder", async () => {
    const r = await cli(["init", "--database-url", db.url, "--out", join(app, "tables"), "--convex-dir", join(app, "convex"), "--exclude-tables", "legacy_users"], {}, app);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("not mirrored: audit_log: no primary key");
    tables = loadTables(join(app, "tables/index.ts"));
    expect(tables.map((t) => t.name).sort()).toEqual(["account", "address", "country", "line_item", "measurement", "membership", "membership_note", "org", "staff", "store"]);
  });

  it("local-convex serves the app's convex/ folder; setup passes; run backfills and streams", async () => {
    // The README's workaround for apps without "type": "module" is harmless here and keeps the folder ESM.
    writeFileSync(join(app, "convex/package.json"), JSON.stringify({ type: "module" }));
    convex = spawnLong(["local-convex", "--convex-dir", join(app, "convex"), "--port", "0", "--admin-key", ADMIN_KEY], {}, app);
    const convexUrl = await waitUntil("local-convex listening", () => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(convex!.output())?.[1] ?? (convex!.child.exitCode !== null ? Promise.reject(new Error(convex!.output())) : undefined), 90_000);
    vars = { DATABASE_URL: db.url, CONVEX_URL: convexUrl, CONVEX_ADMIN_KEY: ADMIN_KEY, PG2CONVEX_SLOT: `s_${db.name}`.slice(0, 63), PG2CONVEX_TABLES_MODULE: join(app, "tables/index.ts") };
    reader = createMirrorReader({ url: convexUrl, adminKey: ADMIN_KEY });

    const setup = await cli(["setup", "--tables-module", join(app, "tables/index.ts")], vars, app);
    expect(setup.code, setup.out).toBe(0);
    // The foreign keys init leaves as raw keys (composite; to a non-key column) are named, not refused.
    expect(setup.out).toMatch(/\[warn\] raw_fk public\.membership_note: foreign key membership_note_org_id_account_id_fkey .* is composite/);
    expect(setup.out).toMatch(/\[warn\] raw_fk public\.address\.country_code: .* is not to country's primary key \(id\)/);

    run = spawnLong(["run", "--tables-module", join(app, "tables/index.ts"), "--metrics-port", "0", "--flush-interval-ms", "50", "--catalog-check-interval-ms", "500"], vars, app);
    healthUrl = await waitUntil("the metrics url", () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run!.output())?.[1] ?? (run!.child.exitCode !== null ? Promise.reject(new Error(run!.output())) : undefined), 90_000);
    await waitUntil("readiness (streaming)", async () => ((await fetch(`${healthUrl}/readyz`)).status === 200 ? true : run!.child.exitCode !== null ? Promise.reject(new Error(run!.output())) : undefined), 90_000);
    expect(await healthz()).toMatchObject({ status: "ok" });
    // The backfill already matches row for row.
    expect(await compareAll(tables)).toEqual([]);
  });

  const healthz = async () => (await (await fetch(`${healthUrl}/healthz`)).json()) as { status: string; schemaDrift?: string[]; degraded?: string[] };

  async function compareAll(set: TableSet, skip: (d: RowDiff) => boolean = () => false): Promise<RowDiff[]> {
    const diffs: RowDiff[] = [];
    for (const t of set) diffs.push(...diffRows(t, await pgRows(db.client, t), await convexRows(reader, t)).filter((d) => !skip(d)));
    return diffs;
  }

  const drift = async (table: string) =>
    (await reader.client.query<{ page: Array<Record<string, unknown>> }>("listDriftEntries", { table, numItems: 1000 })).page
      .filter((r) => r.keyString !== "")
      .map((r) => `${String(r.column)} ${String(r.kind)} ${json(r.key)} ${typeof r.raw === "string" ? r.raw : ""}`)
      .sort();

  const driftAll = async (table: string) =>
    (await reader.client.query<{ page: Array<Record<string, unknown>> }>("listDriftEntries", { table, numItems: 1000 })).page.map((r) => ({ column: r.column, kind: r.kind, key: r.key, raw: r.raw, detail: r.detail }));

  it("a live load with schema changes converges for every known column, and nothing unknown is silent", async () => {
    const q = (sql: string) => db.client.query(sql);
    // Plain changes across tables, the cycle and the partitioned table (a row moved to the other leaf).
    await q(`INSERT INTO account (id, email, mood, tags, session_length, last_ip, balance, flags, created_at) VALUES ('${A4}', 'd@x.io', 'ok', '{z}', '3 hours', '192.168.1.1', 7, B'1111', '2025-05-05T00:00:00Z')`);
    await q(`UPDATE account SET mood = 'ok', moods = '{happy}', tags = '{c}', nickname = NULL, home = '(3,4)' WHERE id = '${A1}'`);
    await q(`UPDATE account SET mood = 'sad', profile = '<b>x</b>' WHERE id = '${A2}'`);
    await q(`BEGIN; DELETE FROM measurement WHERE account_id = '${A3}'; DELETE FROM account WHERE id = '${A3}'; COMMIT`);
    await q(`INSERT INTO country VALUES (4, 'ES', 'Spain'); UPDATE country SET name = 'République française' WHERE id = 1; DELETE FROM country WHERE id = 3`);
    await q(`INSERT INTO org VALUES (3, 'initech', 4); UPDATE org SET country_id = 2 WHERE id = 2`);
    await q(
      `INSERT INTO membership VALUES (3, '${A4}', 'owner'); UPDATE membership SET role = 'owner' WHERE org_id = 1 AND account_id = '${A2}'; DELETE FROM membership_note WHERE note IS NULL; DELETE FROM membership WHERE org_id = 1 AND account_id = '${A2}'`,
    );
    await q(`INSERT INTO membership_note (org_id, account_id, note) VALUES (3, '${A4}', 'new')`);
    await q(`INSERT INTO line_item (qty, price) VALUES (2, 0.25); UPDATE line_item SET qty = 10 WHERE id = 1; DELETE FROM line_item WHERE id = 2`);
    await q(`BEGIN; INSERT INTO store VALUES (3, 'east', NULL); INSERT INTO staff VALUES (30, 3, 10, 'cat'); UPDATE store SET manager_staff_id = 30 WHERE id = 3; COMMIT`);
    await q(`UPDATE store SET manager_staff_id = 20 WHERE id = 2; UPDATE staff SET boss_id = 20, store_id = 2 WHERE id = 11`);
    await q(`UPDATE measurement SET taken = '2026-03-01', value = 2.5 WHERE id = 1`); // 2025 leaf → 2026 leaf
    await q(`INSERT INTO measurement VALUES (5, '2025-02-02', 5, '${A4}'); UPDATE measurement SET value = 4.5 WHERE id = 4; DELETE FROM measurement WHERE id = 2`);
    // A partition created while streaming, written to; a row moved into it.
    await q(`CREATE TABLE measurement_2027 PARTITION OF measurement FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')`);
    await q(`INSERT INTO measurement VALUES (6, '2027-05-05', 6.5, '${A1}'), (7, '2027-12-31', NULL, NULL); UPDATE measurement SET taken = '2027-01-01' WHERE id = 5`);
    // A new enum label, used.
    await q(`ALTER TYPE mood ADD VALUE 'ecstatic'`);
    await q(`INSERT INTO account (id, email, mood, moods, created_at) VALUES ('${A5}', 'e@x.io', 'ecstatic', '{ok}', '2025-06-06T00:00:00Z')`);
    // A column added, then written.
    await q(`ALTER TABLE staff ADD COLUMN phone text`);
    await q(`INSERT INTO staff VALUES (21, 2, 20, 'dan', '555-1')`);
    await q(`UPDATE staff SET name = 'ann 2', phone = '555-0' WHERE id = 11`);
    // A declared column dropped, then rows updated and inserted.
    await q(`ALTER TABLE address DROP COLUMN line`);
    await q(`UPDATE address SET country_code = 'DE' WHERE id = 1; INSERT INTO address VALUES (4, 'ES')`);
    // And a declared never-TOASTed column of the partitioned table (an UPDATE without it is a dropped column, not
    // an unchanged TOAST value).
    await q(`ALTER TABLE measurement DROP COLUMN value`);
    await q(`UPDATE measurement SET account_id = '${A2}' WHERE id = 6; INSERT INTO measurement VALUES (8, '2026-08-08', '${A4}')`);
    await q(`UPDATE country SET name = 'Deutschland' WHERE id = 2`); // the last change

    // Known tables and columns converge row for row. address.line no longer exists in PostgreSQL and
    // account.mood of the 'ecstatic' row cannot be held: both are compared below, against pg2c_drift.
    const oracleSet: TableSet = tables.map((t): TableDef =>
      t.name === "address"
        ? { ...t, columns: t.columns.filter((c) => c.name !== "line") }
        : t.name === "measurement"
          ? { ...t, columns: t.columns.filter((c) => c.name !== "value") }
          : t.name === "account"
            ? { ...t, columns: t.columns.filter((c) => c.name !== "mood") }
            : t,
    );
    await waitUntil("Convex converged with PostgreSQL row for row", async () => ((await compareAll(oracleSet)).length === 0 ? true : undefined), 60_000).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\n${JSON.stringify(await compareAll(oracleSet))}\n${run!.output().slice(-4000)}`);
    });
    // account.mood: every row but the 'ecstatic' one holds its label; that one is null in Convex.
    const moods = new Map(
      (
        await convexRows(
          reader,
          tables.find((t) => t.name === "account")!,
        )
      ).entries(),
    );
    const { rows: pgMoods } = await db.client.query<{ id: string; mood: string | null }>(`SELECT id::text, mood::text FROM account`);
    for (const r of pgMoods) {
      const doc = [...moods.values()].find((d) => d.id === r.id)!;
      expect(doc, r.id).toBeDefined();
      expect(doc.mood ?? null, r.id).toBe(r.id === A5 ? null : r.mood);
    }
    // The added column is not in the documents; the dropped one reads null on the rows written after the drop.
    const staffDocs = await convexRows(
      reader,
      tables.find((t) => t.name === "staff")!,
    );
    for (const d of staffDocs.values()) expect("phone" in d).toBe(false);
    const addr = new Map(
      [
        ...(
          await convexRows(
            reader,
            tables.find((t) => t.name === "address")!,
          )
        ).values(),
      ].map((d) => [d.id, d]),
    );
    // A text column missing from an UPDATE reads as an unchanged TOAST value (wal2json omits both), so the document
    // keeps its last value (README § schema drift); an INSERT without it has null.
    expect(addr.get(1)).toMatchObject({ country_code: "DE", line: "1 rue X" });
    expect(addr.get(4)).toMatchObject({ country_code: "ES", line: null });
    expect(addr.get(3)).toMatchObject({ country_code: "DE", line: "Hauptstr. 2" });
    const meas = new Map(
      [
        ...(
          await convexRows(
            reader,
            tables.find((t) => t.name === "measurement")!,
          )
        ).values(),
      ].map((d) => [Number(d.id), d]),
    );
    expect(meas.get(6)).toMatchObject({ account_id: A2, value: 6.5 }); // its last value: the UPDATE no longer carries the column
    expect(meas.get(8)).toMatchObject({ account_id: A4, value: null });

    // Not silent: every value the definitions cannot hold is kept in pg2c_drift, by table, column and key.
    expect(await drift("staff")).toEqual(['phone column_added [11] "555-0"', 'phone column_added [21] "555-1"']);
    const accountDrift = await drift("account");
    expect(accountDrift).toContain(`mood value_undecodable ["${A5}"] "ecstatic"`);
    // The periodic catalog check records each changed column too (table-level entries, no key).
    const catalog = async (table: string) => (await driftAll(table)).filter((r) => r.kind === "catalog").map((r) => `${String(r.column)}: ${String(r.detail)}`);
    await waitUntil("the catalog check's findings", async () => ((await catalog("address")).length > 0 && (await catalog("measurement")).length > 0 && (await catalog("account")).length >= 2 ? true : undefined), 30_000);
    expect(await catalog("address")).toEqual([expect.stringMatching(/^line: column line does not exist in public\.address/)]);
    expect(await catalog("measurement")).toEqual([expect.stringMatching(/^value: column value does not exist in public\.measurement/)]);
    expect(await catalog("account")).toEqual(expect.arrayContaining([expect.stringMatching(/^mood: .*\(missing ecstatic\)/), expect.stringMatching(/^moods: .*\(missing ecstatic\)/)]));
    const addressDrift = await drift("address");
    expect(addressDrift.filter((r) => r.startsWith("line column_dropped [4]"))).toHaveLength(1);
    const measurementDrift = await drift("measurement");
    expect(measurementDrift.filter((r) => r.startsWith("value column_dropped [6,") || r.startsWith("value column_dropped [8,"))).toHaveLength(2);
    for (const t of ["country", "org", "membership", "membership_note", "line_item", "store"]) expect(await drift(t), t).toEqual([]);

    // /healthz degraded naming table and column.
    const h = await waitUntil("degraded health naming the drift", async () => {
      const body = await healthz();
      return ["staff.phone", "address.line", "measurement.value", "account.mood"].every((c) => body.schemaDrift?.includes(c)) ? body : undefined;
    });
    expect(h.status).toBe("degraded");
    expect(h.degraded?.join(" ")).toMatch(/pg2convex init --check/);

    // `status` shows it.
    const statusJson = await cli(["status", "--json"], vars, app);
    expect(statusJson.code, statusJson.out).toBe(0);
    const drifted = (JSON.parse(statusJson.out).drift.tables as Array<{ table: string; column: string }>).map((t) => `${t.table}.${t.column}`);
    expect(drifted).toEqual(expect.arrayContaining(["staff.phone", "address.line", "measurement.value", "account.mood"]));
    const text = await cli(["status"], vars, app);
    expect(text.out).toMatch(/DRIFTED staff\.phone \[[^\]]*column_added[^\]]*\] 2 row\(s\) kept/);
    expect(text.out).toMatch(/DRIFTED address\.line/);
    expect(text.out).toMatch(/DRIFTED account\.mood/);
    // The sidecar never stopped.
    expect(run!.child.exitCode).toBeNull();
  });
});
