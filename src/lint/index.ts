// Public API of the guardrail lint and write-site inventory (the CLI commands and the ESLint plugin
// are built on exactly these).
export { loadPgParser } from "./pg-parser";
export { LintEngine, type AnalyzedSite, type FileLint, type SiteRelation } from "./engine";
export { lintPaths, type LintRun } from "./run";
export { analyzeSql, type SqlAnalysis } from "./analyze-sql";
export { DEFAULT_CALLS, DEFAULT_DENY, DEFAULT_TAGS, engineConfig, InventoryOptionsSchema, LintOptionsSchema, parseOptions, readConfigFile, type EngineConfig, type InventoryOptions, type LintOptions } from "./config";
export { applyBaseline, buildBaseline, readBaseline, writeBaseline, type Baseline } from "./baseline";
export { buildInventory, type Inventory } from "./inventory";
export { formatText } from "./report-text";
export { formatJson, jsonReport, type JsonReport } from "./report-json";
export { formatGithub } from "./report-github";
export { formatSarif, sarifReport } from "./report-sarif";
export { formatMarkdown } from "./report-markdown";
export { formatInventoryJson, formatInventoryMarkdown } from "./report-inventory";
export { LintConfigError, LintInternalError } from "./errors";
export type { Access, Finding, LintSummary, RuleId, Severity, StatementInfo } from "./types";
