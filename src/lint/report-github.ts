// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message` become annotations
// on the pull request diff. Values are escaped as the runner requires (%, CR, LF; also : and , in properties).
import type { Finding, LintSummary } from "./types";
import { summaryLine } from "./report-text";

const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function annotation(f: Finding): string {
  const command = f.severity === "error" ? "error" : "warning";
  const props = [`file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.column}`, `title=${escapeProperty(`pg2convex-lint ${f.rule}`)}`];
  return `::${command} ${props.join(",")}::${escapeData(f.message)}`;
}

export function formatGithub(findings: readonly Finding[], summary: LintSummary): string {
  return [...findings.map(annotation), summaryLine(summary)].join("\n");
}
