// Markdown summary of a lint run, written for $GITHUB_STEP_SUMMARY (GitHub renders it on the run page).
import type { Finding, LintSummary } from "./types";

const MAX_ROWS = 200;

/** Escapes text for a markdown table cell. */
export function cell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export function formatMarkdown(findings: readonly Finding[], s: LintSummary): string {
  const status = s.errors > 0 ? "❌ failed" : s.warnings > 0 ? "⚠️ passed with warnings" : "✅ passed";
  const out = [`## pg2convex lint: ${status}`, "", `${s.errors} errors, ${s.warnings} warnings in ${s.files} files (${s.sqlSites} SQL sites); ${s.suppressed} suppressed inline, ${s.baselined} in baseline.`];
  if (s.staleBaseline > 0) out.push("", `${s.staleBaseline} baseline entries no longer match any finding; prune them with \`--update-baseline\`.`);
  if (findings.length > 0) {
    out.push("", "| Location | Severity | Rule | Message |", "| --- | --- | --- | --- |");
    for (const f of findings.slice(0, MAX_ROWS)) out.push(`| \`${cell(f.file)}:${f.line}:${f.column}\` | ${f.severity} | ${f.rule} | ${cell(f.message)} |`);
    if (findings.length > MAX_ROWS) out.push("", `…and ${findings.length - MAX_ROWS} more (see the JSON or SARIF report).`);
  }
  return `${out.join("\n")}\n`;
}
