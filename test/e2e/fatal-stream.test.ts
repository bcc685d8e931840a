// Errors of a running `pg2convex run` (the real process). PostgreSQL ending the bridge's sessions (what
// `pg_ctl restart -m fast` does to them) is transient: the bridge reconnects in-process (it used to crash, then
// to exit 1). Table definitions that no longer match the deployed Convex schema are permanent: the process ends
// by itself, non-zero, with one stderr line naming table, field and the fix (during a backfill it used to hang).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { spawnCli, type CliProcess } from "../support/cli-process";
import { waitUntil } from "../support/wait";

const EXIT_WITHIN_MS = 60_000;

describe("pg2convex run: fatal errors while running end the process with one line", () => {
  let env: MirrorEnv;
  let slots = 0;
  const run = (vars: Record<string, string> = {}) =>
    spawnCli(["run"], {
      DATABASE_URL: env.db.url,
      CONVEX_URL: env.convex.url,
      CONVEX_ADMIN_KEY: env.convex.adminKey,
      PG2CONVEX_SLOT: `${env.config.slot.slice(0, 50)}_${slots++}`,
      PG2CONVEX_METRICS_PORT: "0",
      PG2CONVEX_FLUSH_INTERVAL_MS: "50",
      LOG_LEVEL: "info",
      ...vars,
    });
  const streaming = (p: CliProcess) => p.waitFor(/"msg":"replication started"/, 90_000);
  const noCrashDump = (p: CliProcess) => {
    const all = p.stdout() + p.stderr();
    expect(all).not.toMatch(/Unhandled 'error' event|node:events|^\s+at /m);
  };
  const terminate = (where: string) => env.db.client.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${where}`);

  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 8, courses: 4, stories: 30, users: 5 } });
  });
  afterAll(async () => env?.close());

  // Sessions ended under a running bridge are transient: it reconnects in-process (no exit), proves continuity
  // again and resumes from the Convex checkpoint; one log line when PostgreSQL went down, one when it is back.
  const ridesThrough = async (p: CliProcess, name: string) => {
    await p.waitFor(/PostgreSQL recovered after \d+ s/, 90_000);
    expect(p.child.exitCode).toBeNull();
    expect(p.stdout().match(/PostgreSQL is down/g)).toHaveLength(1);
    await env.db.client.query("UPDATE language SET name = $1 WHERE id = 1", [name]);
    await waitUntil("the change after the reconnect in Convex", async () => (await env.reader.getByKeys("language", [[1]]))[0]?.name === name);
    p.child.kill("SIGTERM");
    expect((await p.exited(EXIT_WITHIN_MS)).code).toBe(0);
    noCrashDump(p);
    expect(p.errorLines()).toEqual([]);
  };

  it("PostgreSQL ending every bridge session while streaming: reconnects and streams on, no exit, no crash dump", async () => {
    const p = run();
    await streaming(p);
    expect((await terminate("true")).rows[0].n).toBeGreaterThanOrEqual(2); // the SQL session and the walsender
    await ridesThrough(p, "after every session ended");
  });

  it("PostgreSQL ending only the bridge's SQL session: the stream stops cleanly, then reconnects", async () => {
    const p = run();
    await streaming(p);
    expect((await terminate("application_name = 'pg2convex' AND backend_type = 'client backend'")).rows[0].n).toBe(1);
    // Stopped, not crashed: the replication stream was ended and the stop logged, then it started again.
    await p.waitFor(/"msg":"replication stopped"/);
    expect(p.stdout()).toMatch(/PG_CONNECTION_LOST/);
    await ridesThrough(p, "after the SQL session ended");
  });

  describe("definitions that differ from the deployed Convex schema", () => {
    // language.speaker becomes an integer in PostgreSQL and in the definitions; the stand-in still serves the
    // project's convex/ functions, whose schema says text.
    let changedTables: string;
    beforeAll(() => {
      const dir = mkdtempSync(join(tmpdir(), "pg2c-mismatch-"));
      const reference = fileURLToPath(new URL("../../tables/reference.ts", import.meta.url));
      changedTables = join(dir, "tables.mts");
      writeFileSync(
        changedTables,
        `import { referenceTables } from ${JSON.stringify(reference)};\n` + `export const tables = referenceTables.map((t) => t.name !== "language" ? t : { ...t, columns: t.columns.map((c) => c.name === "speaker" ? { ...c, type: "int4" } : c) });\n`,
      );
    });
    // Issue 12 §8: the deployment serves the definitions it was built from, so the difference is refused at start,
    // before anything is streamed or backfilled, naming table and column (it used to surface later as
    // CONVEX_SCHEMA_MISMATCH from a refused value, and during the backfill it used to hang).
    const expectMismatch = (p: CliProcess) => {
      const lines = p.errorLines();
      expect(lines, lines.join("\n")).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^pg2convex run failed: \[DEFINITIONS_MISMATCH\] the Convex deployment was built from other table definitions: language\.speaker differs: bridge \["int4".*deployment \["text".*— fix: deploy the Convex functions built from the definitions/,
      );
    };

    it("after streaming: a restart with changed definitions is refused at start with DEFINITIONS_MISMATCH naming table and column", async () => {
      const vars = { PG2CONVEX_SLOT: `${env.config.slot.slice(0, 50)}_mm` };
      const first = run(vars);
      await streaming(first);
      first.child.kill("SIGTERM");
      expect((await first.exited(EXIT_WITHIN_MS)).code).toBe(0);
      await env.db.client.query("ALTER TABLE language ALTER COLUMN speaker TYPE int4 USING NULL");
      try {
        const p = run({ ...vars, PG2CONVEX_TABLES_MODULE: changedTables });
        const { code } = await p.exited(EXIT_WITHIN_MS);
        expect(code).toBe(1);
        expectMismatch(p);
      } finally {
        await env.db.client.query("ALTER TABLE language ALTER COLUMN speaker TYPE text USING NULL");
      }
    });

    it("before the backfill: exits with the same line", async () => {
      await env.db.client.query("ALTER TABLE language ALTER COLUMN speaker TYPE int4 USING 7");
      try {
        const p = run({ PG2CONVEX_TABLES_MODULE: changedTables });
        const { code } = await p.exited(EXIT_WITHIN_MS);
        expect(code).toBe(1);
        expectMismatch(p);
      } finally {
        await env.db.client.query("ALTER TABLE language ALTER COLUMN speaker TYPE text USING NULL");
      }
    });
  });
});
