// `pg2convex parity` and `pg2convex status` as CI runs them: real processes, exit codes 0/1/2, the report
// files, the GitHub step summary and annotations, and the history behind "parity green since".
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { tamper } from "./support";

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
    expect(r.out).not.toMatch(/::error/);
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
    expect(r.out).toMatch(/^::error title=parity drift: story::story 5: differs in name/m);
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
});
