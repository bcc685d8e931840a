// The ESLint plugin runs the same engine inside ESLint (Linter and the ESLint class on real files).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint, Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../src/lint/eslint-plugin";
import { tempProject } from "./helpers";

const code = [
  "export async function f(pool: any, q: string) {",
  '  await pool.query("DELETE FROM users WHERE id = $1", [1]);',
  "  // pg2convex-lint-disable-next-line no-legacy-tables -- export job, removed in the cut-over",
  '  await pool.query("SELECT * FROM sessions");',
  "  await pool.query(q);",
  "}",
  "",
].join("\n");

const tsFiles = { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } };

describe("eslint plugin", () => {
  it("exposes the rule and a recommended flat config", () => {
    expect(Object.keys(plugin.rules)).toContain("no-legacy-tables");
    expect(plugin.configs.recommended.rules).toMatchObject({ "pg2convex/no-legacy-tables": "error" });
  });

  it("reports through Linter with the CLI's positions and honours suppressions", () => {
    const messages = new Linter({ configType: "flat" }).verify(code, [tsFiles, { files: ["**/*.ts"], ...plugin.configs.recommended }], "src/a.ts");
    expect(messages.map((m) => [m.ruleId, m.severity, m.line, m.column])).toEqual([
      ["pg2convex/no-legacy-tables", 2, 2, 33],
      ["pg2convex/no-unresolved-sql", 1, 5, 9],
    ]);
    expect(messages[0]!.message).toContain("DELETE writes legacy table public.users");
  });

  it("SQL that does not parse is an error of no-legacy-tables, as it fails pg2convex lint", () => {
    const messages = new Linter({ configType: "flat" }).verify('await pool.query("SELEC * FRM users WHER id = 1");', [tsFiles, { files: ["**/*.ts"], ...plugin.configs.recommended }], "src/c.ts");
    expect(messages.map((m) => [m.ruleId, m.severity, m.line, m.column])).toEqual([["pg2convex/no-legacy-tables", 2, 1, 19]]);
    expect(messages[0]!.message).toContain('syntax error at or near "SELEC"');
  });

  it("passes rule options to the engine", () => {
    const config = [tsFiles, { files: ["**/*.ts"], plugins: { pg2convex: plugin }, rules: { "pg2convex/no-legacy-tables": ["error", { deny: ["sessions"] }] } }];
    const messages = new Linter({ configType: "flat" }).verify('await pool.query("SELECT * FROM sessions JOIN users ON true");', config as Linter.Config[], "src/b.ts");
    expect(messages.map((m) => m.message)).toEqual(["SELECT reads legacy table public.sessions [no-legacy-tables]"]);
  });

  it("lints files on disk with the ESLint class", async () => {
    const root = tempProject({ "src/a.ts": code });
    writeFileSync(join(root, "src/clean.ts"), 'export const q = (pool: any) => pool.query("SELECT * FROM orders");\n');
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: [tsFiles, { files: ["**/*.ts"], ...plugin.configs.recommended }] });
    const results = await eslint.lintFiles(["src/**/*.ts"]);
    const byFile = Object.fromEntries(results.map((r) => [r.filePath.slice(root.length + 1), r.messages.map((m) => m.ruleId)]));
    expect(byFile).toEqual({ "src/a.ts": ["pg2convex/no-legacy-tables", "pg2convex/no-unresolved-sql"], "src/clean.ts": [] });
  });
});
