// Suppression directives: parsing, validation and which findings they cover.
import { beforeAll, describe, expect, it } from "vitest";
import { loadPgParser } from "../../src/lint/pg-parser";
import { lint, summary } from "./helpers";

const del = 'await pool.query("DELETE FROM sessions");';

describe("suppressions", () => {
  beforeAll(() => loadPgParser());

  it("disable-line covers its own line only", () => {
    const r = lint(`${del} // pg2convex-lint-disable-line no-legacy-tables -- cleanup job\n${del}`);
    expect(r.findings.map((f) => f.line)).toEqual([2]);
    expect(r.suppressed.map((f) => f.line)).toEqual([1]);
  });

  it("a block comment and a comma-separated rule list work", () => {
    const code = `/* pg2convex-lint-disable-next-line dynamic-sql, no-legacy-tables -- both known */\nawait pool.query(\`DELETE FROM sessions; SELECT * FROM \${t}\`);`;
    expect(summary(lint(code))).toEqual([]);
  });

  it("reports unknown rules and unknown directives, and they suppress nothing", () => {
    const code = `// pg2convex-lint-disable-next-line no-legacy-table -- typo\n${del}\n// pg2convex-lint-disable no-legacy-tables -- whole file?\n`;
    const r = lint(code);
    expect(summary(r)).toEqual(["invalid-suppression", "invalid-suppression", "no-legacy-tables public.sessions"]);
    expect(r.findings.find((f) => f.line === 1)!.message).toContain("unknown rule `no-legacy-table`");
    expect(r.findings.find((f) => f.line === 3)!.message).toContain("unknown directive");
  });

  it("a directive needs a rule name", () => {
    const r = lint(`// pg2convex-lint-disable-next-line -- because\n${del}`);
    expect(r.findings.map((f) => f.rule).sort()).toEqual(["invalid-suppression", "no-legacy-tables"]);
    expect(r.findings.find((f) => f.rule === "invalid-suppression")!.message).toContain("must name the rule");
  });

  it("an SQL comment inside a template suppresses the next SQL line only", () => {
    const code = ["await pool.query(`", "  -- pg2convex-lint-disable-next-line no-legacy-tables -- legacy export", "  SELECT * FROM users;", "  SELECT * FROM accounts`);"].join("\n");
    const r = lint(code);
    expect(summary(r)).toEqual(["no-legacy-tables public.accounts"]);
    expect(r.suppressed.map((f) => f.table)).toEqual(["public.users"]);
  });

  it("directive text inside a string is not a comment", () => {
    const code = `const s = "// pg2convex-lint-disable-next-line no-legacy-tables -- nope";\n${del}`;
    expect(summary(lint(code))).toEqual(["no-legacy-tables public.sessions"]);
  });
});
