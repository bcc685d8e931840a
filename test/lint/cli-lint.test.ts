// `pg2convex lint` end to end: exit codes, report formats, GitHub annotations, baseline workflow.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runLint } from "../../src/cli/commands/lint";
import { capture, tempProject } from "./helpers";

const legacy = 'export async function drop(pool: any) {\n  await pool.query("DELETE FROM sessions WHERE expires < now()");\n}\n';
const clean = 'export async function orders(pool: any) {\n  return pool.query("SELECT * FROM orders");\n}\n';

async function lintIn(root: string, argv: string[], env: Record<string, string> = {}) {
  const c = capture(root, env);
  const code = await runLint(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe("pg2convex lint", () => {
  it("exits 0 on a clean tree and 1 with findings, printing file:line:col", async () => {
    expect((await lintIn(tempProject({ "src/a.ts": clean }), [])).code).toBe(0);
    const r = await lintIn(tempProject({ "src/a.ts": clean, "src/b.ts": legacy }), []);
    expect(r.code).toBe(1);
    expect(r.out).toContain("src/b.ts:2:33: error no-legacy-tables: DELETE writes legacy table public.sessions");
    expect(r.out).toMatch(/1 error, 0 warnings in 2 files/);
  });

  it("warnings alone exit 0; --strict makes them errors", async () => {
    const root = tempProject({ "src/a.ts": "export const f = (pool: any, q: string) => pool.query(q);\n" });
    const lax = await lintIn(root, []);
    expect(lax.code).toBe(0);
    expect(lax.out).toContain("warning dynamic-sql");
    const strict = await lintIn(root, ["--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain("error dynamic-sql");
  });

  it("SQL that does not parse fails the run with file:line, the parser's error and how to suppress it", async () => {
    const typo = 'export async function f(pool: any) {\n  await pool.query("SELEC * FRM users WHER id = 1");\n}\n';
    const r = await lintIn(tempProject({ "src/a.ts": typo }), []);
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/a.ts:2:21: error unparseable-sql: SQL does not parse: syntax error at or near "SELEC" (checked with the PostgreSQL 18 parser)');
    expect(r.out).toContain("`// pg2convex-lint-disable-next-line unparseable-sql -- <reason>`");
    expect(r.out).toMatch(/1 error, 0 warnings/);

    const suppressed = typo.replace("  await", "  // pg2convex-lint-disable-next-line unparseable-sql -- test fixture\n  await");
    const ok = await lintIn(tempProject({ "src/a.ts": suppressed }), []);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("1 suppressed inline");
  });

  it("a .sql file: each statement is checked, the unparseable one fails the run", async () => {
    const root = tempProject({ "db/003.sql": "SELECT * FROM story;\nSELECT * FROM users WHERE;\nDELETE FROM users;\n", "db/004.sql": "SELECT 1;\nSELECT * FROM story WHERE;\n" });
    const r = await lintIn(root, ["db"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('db/003.sql:2:26: error unparseable-sql: SQL does not parse: syntax error at or near ";"');
    expect(r.out).toContain("`-- pg2convex-lint-disable-next-line unparseable-sql -- <reason>`");
    expect(r.out).toContain("db/003.sql:3:13: error no-legacy-tables: DELETE writes legacy table public.users");
    expect(r.out).toContain("db/004.sql:2:26: error unparseable-sql");
    expect(r.out).toMatch(/3 errors, 0 warnings in 2 files/);
    expect((await lintIn(root, ["db/004.sql"])).code).toBe(1);
  });

  it("the baseline accounts for unparseable SQL across moved lines", async () => {
    const root = tempProject({ "db/a.sql": "SELECT 1;\nREPACK orders;\n", "src/a.ts": 'await pool.query("SELEC 1 FRM orders");\n' });
    expect((await lintIn(root, ["src", "db", "--baseline", "b.json", "--update-baseline"])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "b.json"), "utf8")).entries.map((e: { rule: string }) => e.rule)).toEqual(["unparseable-sql", "unparseable-sql"]);
    writeFileSync(join(root, "db/a.sql"), "-- moved\nSELECT 1;\n\nREPACK orders;\n");
    writeFileSync(join(root, "src/a.ts"), '\n\nawait pool.query("SELEC 1 FRM orders");\n');
    const r = await lintIn(root, ["src", "db", "--baseline", "b.json"]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain("2 in baseline");
  });

  it("--call adds to the default call targets", async () => {
    const root = tempProject({ "src/a.ts": 'runSql("DELETE FROM accounts");\nawait pool.query("DELETE FROM sessions");\nawait knex.raw("DELETE FROM users WHERE id = ?", [1]);\n' });
    const r = await lintIn(root, ["--call", "runSql"]);
    expect(r.code).toBe(1);
    for (const t of ["src/a.ts:1:21: error no-legacy-tables: DELETE writes legacy table public.accounts", "src/a.ts:2:31:", "src/a.ts:3:29:"]) expect(r.out).toContain(t);
  });

  it("exits 2 with a clear message for a missing path, a bad option or a bad config file", async () => {
    const root = tempProject({ "src/a.ts": clean, "bad.json": "{ nope", "typo.json": '{ "denny": ["x"] }' });
    const missing = await lintIn(root, ["lib"]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toContain("[CONFIG_INVALID] lib does not exist");
    expect((await lintIn(root, ["--format", "xml"])).err).toContain("format");
    expect((await lintIn(root, ["--no-such-flag"])).code).toBe(2);
    expect((await lintIn(root, ["--config", "bad.json"])).err).toContain("bad.json is not valid JSON");
    const typo = await lintIn(root, ["--config", "typo.json", "--deny", "a.b.c"]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("denny: not a config file key");
    expect(typo.err).toContain("deny.0: a.b.c has too many parts");
  });

  it("reads pg2convex-lint.json from the working directory", async () => {
    const root = tempProject({ "lib/b.ts": legacy, "pg2convex-lint.json": JSON.stringify({ paths: ["lib"], deny: ["orders"] }) });
    expect((await lintIn(root, [])).code).toBe(0);
    expect((await lintIn(root, ["--deny", "sessions"])).code).toBe(1);
  });

  it("writes versioned JSON", async () => {
    const r = await lintIn(tempProject({ "src/b.ts": legacy }), ["--format", "json"]);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ version: 1, tool: "pg2convex-lint", summary: { files: 1, errors: 1, warnings: 0 } });
    expect(json.findings[0]).toMatchObject({ rule: "no-legacy-tables", severity: "error", file: "src/b.ts", line: 2, column: 33, table: "public.sessions", access: "write", statementKind: "DELETE" });
    expect(json.findings[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it("writes SARIF 2.1.0 to --output", async () => {
    const root = tempProject({ "src/b.ts": legacy });
    const r = await lintIn(root, ["--format", "sarif", "--output", "lint.sarif"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    const sarif = JSON.parse(readFileSync(join(root, "lint.sarif"), "utf8"));
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe("pg2convex-lint");
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toContain("no-legacy-tables");
    expect(run.results[0]).toMatchObject({
      ruleId: "no-legacy-tables",
      level: "error",
      locations: [{ physicalLocation: { artifactLocation: { uri: "src/b.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 2, startColumn: 33 } } }],
    });
    expect(run.tool.driver.rules[run.results[0].ruleIndex].id).toBe("no-legacy-tables");
  });

  it("prints ::error annotations when GITHUB_ACTIONS=true and appends a markdown summary", async () => {
    const root = tempProject({ "src/b.ts": legacy, "src/c.ts": "export const f = (db: any, q: string) => db.query(q);\n", "summary.md": "# earlier step\n" });
    const r = await lintIn(root, ["--markdown-summary", "summary.md"], { GITHUB_ACTIONS: "true" });
    expect(r.out).toContain("::error file=src/b.ts,line=2,col=33,title=pg2convex-lint no-legacy-tables::DELETE writes legacy table public.sessions");
    expect(r.out).toContain("::warning file=src/c.ts,line=1,col=42,title=pg2convex-lint dynamic-sql::");
    const md = readFileSync(join(root, "summary.md"), "utf8");
    expect(md.startsWith("# earlier step\n## pg2convex lint: ❌ failed")).toBe(true);
    expect(md).toContain("| `src/b.ts:2:33` | error | no-legacy-tables |");
    // Without the variable the same run prints plain lines.
    expect((await lintIn(root, [])).out).not.toContain("::error");
  });

  it("baseline: records today's findings, ignores moved lines, fails on new ones", async () => {
    const root = tempProject({ "src/b.ts": legacy });
    const update = await lintIn(root, ["--baseline", "lint-baseline.json", "--update-baseline"]);
    expect(update.code).toBe(0);
    const baseline = JSON.parse(readFileSync(join(root, "lint-baseline.json"), "utf8"));
    expect(baseline).toMatchObject({ version: 1, tool: "pg2convex-lint", entries: [{ file: "src/b.ts", rule: "no-legacy-tables", count: 1, table: "public.sessions" }] });
    expect((await lintIn(root, ["--baseline", "lint-baseline.json"])).code).toBe(0);

    writeFileSync(join(root, "src/b.ts"), `// moved down\n\n${legacy}`);
    const moved = await lintIn(root, ["--baseline", "lint-baseline.json"]);
    expect(moved.code).toBe(0);
    expect(moved.out).toContain("1 in baseline");

    writeFileSync(join(root, "src/b.ts"), `${legacy}export const more = (pool: any) => pool.query("SELECT * FROM users");\n`);
    const added = await lintIn(root, ["--baseline", "lint-baseline.json"]);
    expect(added.code).toBe(1);
    expect(added.out).toContain("src/b.ts:4:");
    expect(added.out).not.toContain("sessions");

    expect((await lintIn(root, ["--baseline", "lint-baseline.json", "--update-baseline"])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "lint-baseline.json"), "utf8")).entries).toHaveLength(2);
    expect((await lintIn(root, ["--baseline", "lint-baseline.json"])).code).toBe(0);
  });

  it("a missing baseline file is a tool failure that says how to create it", async () => {
    const r = await lintIn(tempProject({ "src/b.ts": legacy }), ["--baseline", "nope.json"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--update-baseline");
  });

  it("--help prints usage and exits 0", async () => {
    const r = await lintIn(tempProject({}), ["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("usage: pg2convex lint");
  });

  it("runs through the real CLI dispatcher with the documented exit codes", () => {
    const root = tempProject({ "src/b.ts": legacy, "ok/a.ts": clean });
    const main = join(process.cwd(), "src/cli/main.ts");
    const tsx = join(process.cwd(), "node_modules/.bin/tsx");
    const run = (args: string[]) => spawnSync(tsx, [main, "lint", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, GITHUB_ACTIONS: "" } });
    expect(run(["ok"]).status).toBe(0);
    const bad = run([]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("src/b.ts:2:33");
    expect(run(["missing-dir"]).status).toBe(2);
  });
});
