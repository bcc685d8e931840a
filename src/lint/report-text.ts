// Human-readable output: one `file:line:col: severity rule: message` line per finding (the form
// editors and terminals turn into links), then a one-line summary.
import type { Finding, LintSummary } from "./types";

export function findingLine(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}`;
}

export function summaryLine(s: LintSummary): string {
  const counts = `${s.errors} error${s.errors === 1 ? "" : "s"}, ${s.warnings} warning${s.warnings === 1 ? "" : "s"}`;
  const extras = [
    s.suppressed ? `${s.suppressed} suppressed inline` : "",
    s.baselined ? `${s.baselined} in baseline` : "",
    s.staleBaseline ? `${s.staleBaseline} baseline entr${s.staleBaseline === 1 ? "y" : "ies"} no longer found (prune with --update-baseline)` : "",
  ].filter(Boolean);
  const files = `${s.files} file${s.files === 1 ? "" : "s"} (${s.sqlSites} SQL site${s.sqlSites === 1 ? "" : "s"})`;
  return `pg2convex lint: ${counts} in ${files}${extras.length ? `; ${extras.join(", ")}` : ""}`;
}

export function formatText(findings: readonly Finding[], summary: LintSummary): string {
  return [...findings.map(findingLine), summaryLine(summary)].join("\n");
}
