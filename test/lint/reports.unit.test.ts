// Report encodings that must survive hostile text: annotation escaping, markdown cells, text lines.
import { describe, expect, it } from "vitest";
import { annotation } from "../../src/lint/report-github";
import { formatMarkdown } from "../../src/lint/report-markdown";
import { findingLine } from "../../src/lint/report-text";
import type { Finding, LintSummary } from "../../src/lint/types";

const finding: Finding = { rule: "unparseable-sql", severity: "warning", file: "src/a,b:c.ts", line: 3, column: 7, message: "100% broken\nsecond | line", fingerprint: "0123456789abcdef" };
const summary: LintSummary = { files: 1, sqlSites: 1, errors: 0, warnings: 1, suppressed: 0, baselined: 0, staleBaseline: 2 };

describe("reports", () => {
  it("escapes GitHub workflow command properties and data", () => {
    expect(annotation(finding)).toBe("::warning file=src/a%2Cb%3Ac.ts,line=3,col=7,title=pg2convex-lint unparseable-sql::100%25 broken%0Asecond | line");
  });

  it("keeps markdown table rows on one line with escaped pipes", () => {
    const md = formatMarkdown([finding], summary);
    expect(md).toContain("| `src/a,b:c.ts:3:7` | warning | unparseable-sql | 100% broken second \\| line |");
    expect(md).toContain("passed with warnings");
    expect(md).toContain("2 baseline entries no longer match");
  });

  it("prints file:line:col first", () => {
    expect(findingLine(finding).startsWith("src/a,b:c.ts:3:7: warning unparseable-sql: ")).toBe(true);
  });
});
