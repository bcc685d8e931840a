// `pg2convex parity` and `pg2convex status` as CI runs them: real processes, exit codes 0/1/2, the report
// files, the GitHub step summary and annotations, and the history behind "parity green since".
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { tamper } from "./support";
import { closedPort } from "../support/closed-port";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, timeout: 110_000, maxBuffer: 20 * 1024 * 1024 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });
}

describe("pg2convex parity (CLI)", () => {
  let env: MirrorEnv;
  let vars: Record<string, string>;
  const fast = ["--recheck-delay", "100ms", "--max-wait", "5s"];
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 4, courses: 3, stories: 40, users: 5 } });
    const bridge = await env.start();
    await env.waitConverged();
    await bridge.stop();
    vars = { DATABASE_URL: env.db.url, CONVEX_URL: env.convex.url, CONVEX_ADMIN_KEY: env.convex.adminKey, PG2CONVEX_SLOT: env.config.slot };
  });
  afterAll(async () => env?.close());

  it("exits 0 on a clean mirror and writes JSON, markdown and JUnit reports plus the step summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parity-"));
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "# earlier step\n");
    const r = await cli(["parity", "--mode", "sample", "--format", "md,junit,json", "--out", join(dir, "report"), ...fast], { ...vars, GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: "true" });
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/verdict: clean/);
    expect(r.out + r.err).not.toMatch(/::error/);
    const json = JSON.parse(readFileSync(join(dir, "report", "parity.json"), "utf8"));
    expect(json).toMatchObject({ kind: "pg2convex.parity", version: 1, mode: "sample", verdict: "clean", recorded: true });
    expect(json.tables).toHaveLength(10);
    const junit = readFileSync(join(dir, "report", "parity.junit.xml"), "utf8");
    expect(junit).toMatch(/<testsuites name="pg2convex parity \(sample\)" tests="\d+" failures="0"/);
    expect(junit).toMatch(/<testcase classname="parity.story" name="story rows"/);
    expect(readFileSync(join(dir, "report", "parity.md"), "utf8")).toMatch(/## ✅ pg2convex parity: clean/);
    expect(readFileSync(summary, "utf8")).toMatch(/^# earlier step\n## ✅ pg2convex parity: clean/);
    expect(existsSync(join(dir, "report", "parity.txt"))).toBe(false);

    const status = await cli(["status"], vars);
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(/story\s+parity green since \d{4}-\d\d-\d\dT[\d:.]+Z \(0 d, gate not yet; last run .*, sample\)/);
  });

  it("exits 1 on drift, naming table, key and columns in text, JUnit and ::error annotations", async () => {
    await tamper(env, "story", [5], "patch", { name: "edited behind the bridge" });
    const r = await cli(["parity", "--mode", "full", "--format", "text,junit", ...fast], { ...vars, GITHUB_ACTIONS: "true" });
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/DRIFT story 5: differs in name — name: "Story [a-z ]+" in PostgreSQL, "edited behind the bridge" in Convex/);
    expect(r.out).toMatch(/<failure message="story 5: differs in name/);
    expect(r.err).toMatch(/^::error title=parity drift: story::story 5: differs in name/m);
    expect(r.out).not.toMatch(/::error/);
    expect(r.out).toMatch(/verdict: DRIFT in 1 of 10 tables/);

    const status = await cli(["status", "--json"], vars);
    const story = JSON.parse(status.out).parity.find((p: { table: string }) => p.table === "story");
    expect(story).toMatchObject({ greenSince: null, lastVerdict: "drift", lastMode: "full", lastDrift: "1 mismatch (name)" });
    expect(JSON.parse(status.out).parity.find((p: { table: string }) => p.table === "language").greenSince).not.toBeNull();
  });

  it("checks only --tables, and JSON on stdout is the report alone (logs go to stderr)", async () => {
    const r = await cli(["parity", "--tables", "language,course", "--mode", "count", "--format", "json", "--no-record", ...fast], vars);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.tables.map((t: { table: string }) => t.table)).toEqual(["language", "course"]);
    expect(json.recorded).toBe(false);
  });

  it("under GitHub Actions, --format json on stdout is still one JSON document and annotations go to stderr", async () => {
    const r = await cli(["parity", "--mode", "full", "--format", "json", "--no-record", ...fast], { ...vars, GITHUB_ACTIONS: "true" });
    expect(r.code, r.err).toBe(1); // story [5] was tampered with above
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ verdict: "drift", outcome: { exitCode: 1, failing: ["drift"] } });
    expect(r.err).toMatch(/^::error title=parity drift: story::/m);
  });

  it("the text verdict agrees with the exit code under --fail-on-source-drift", async () => {
    // Undo the Convex-side tamper of story 5 by rewriting the row in PostgreSQL, and make one PostgreSQL
    // aggregate column stale (source-side drift: the mirror recomputes it and stays clean).
    const bridge = await env.start();
    const db = new pg.Client({ connectionString: vars.DATABASE_URL });
    await db.connect();
    try {
      await db.query("UPDATE story SET name = name WHERE id = 5");
      await db.query("UPDATE course SET count = count + 7 WHERE id = (SELECT min(id) FROM course)");
    } finally {
      await db.end();
    }
    await env.waitConverged();
    await bridge.stop();
    const plain = await cli(["parity", "--mode", "full", "--no-record", ...fast], vars);
    expect(plain.code, plain.out + plain.err).toBe(0);
    expect(plain.out).toMatch(/verdict: clean .*note: \d+ PostgreSQL aggregate value\(s\) in \d+ table\(s\) disagree .*\(source-side, not failing\)/);
    const strict = await cli(["parity", "--mode", "full", "--no-record", "--fail-on-source-drift", "--format", "text,md", ...fast], { ...vars, GITHUB_ACTIONS: "true" });
    expect(strict.code, strict.out + strict.err).toBe(1);
    expect(strict.out).toMatch(/verdict: SOURCE DRIFT — the mirror matches PostgreSQL, but \d+ PostgreSQL aggregate value\(s\) in \d+ table\(s\) disagree with PostgreSQL's own rows; failing because of --fail-on-source-drift/);
    expect(strict.out).not.toMatch(/verdict: clean/);
    expect(strict.out).toMatch(/## ❌ pg2convex parity: source-side drift/);
    expect(strict.err).toMatch(/^::error title=source-side drift: course::/m);
  });

  it("exits 2 with the reason when it cannot run", async () => {
    const bad = await cli(["parity", "--mode", "everything", "--sample", "0"], vars);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--mode must be count, sample or full[\s\S]*--sample must be an integer ≥ 1/);
    const unknown = await cli(["parity", "--tables", "users"], vars);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/not mirrored: users/);
    const down = await cli(["parity", ...fast], { ...vars, DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/PG_CONNECT/);
  });

  it("answers Convex and PostgreSQL failures with the URL or role and the fix, in status and parity alike", async () => {
    const port = await closedPort();
    for (const command of [["parity", ...fast], ["status"]]) {
      const badKey = await cli(command, { ...vars, CONVEX_ADMIN_KEY: "x".repeat(40) });
      expect(badKey.code, badKey.out + badKey.err).toBe(2);
      expect(badKey.err).toContain(`Convex at ${vars.CONVEX_URL} rejected the admin key`);
      expect(badKey.err).toMatch(/fix: set CONVEX_ADMIN_KEY/);
      expect(badKey.err).not.toMatch(/"code":"BadAdminKey"|x{40}/);
      const unreachable = await cli(command, { ...vars, CONVEX_URL: `http://127.0.0.1:${port}` });
      expect(unreachable.code, unreachable.out + unreachable.err).toBe(2);
      expect(unreachable.err).toContain(`cannot reach Convex at http://127.0.0.1:${port}`);
      expect(unreachable.err).toMatch(/fix: check CONVEX_URL/);
      const url = new URL(vars.DATABASE_URL!);
      url.username = "no_such_role";
      url.password = "secret-pw";
      const badRole = await cli(command, { ...vars, DATABASE_URL: url.toString() });
      expect(badRole.code, badRole.out + badRole.err).toBe(2);
      expect(badRole.err).toMatch(/no_such_role/);
      expect(badRole.err).toMatch(/fix:/);
      expect(badRole.err).not.toContain("secret-pw");
    }
  });
});
