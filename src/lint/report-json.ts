// Versioned JSON report. Version 1 fields are stable; new fields may be added, none removed or renamed.
import { TOOL_NAME, TOOL_VERSION } from "./version";
import type { Finding, LintSummary } from "./types";

export interface JsonReport {
  version: 1;
  tool: typeof TOOL_NAME;
  toolVersion: string;
  summary: LintSummary;
  findings: Omit<Finding, "siteLine">[];
}

export function jsonReport(findings: readonly Finding[], summary: LintSummary): JsonReport {
  return {
    version: 1,
    tool: TOOL_NAME,
    toolVersion: TOOL_VERSION,
    summary,
    findings: findings.map(({ siteLine: _siteLine, ...f }) => f),
  };
}

export function formatJson(findings: readonly Finding[], summary: LintSummary): string {
  return JSON.stringify(jsonReport(findings, summary), null, 2);
}
