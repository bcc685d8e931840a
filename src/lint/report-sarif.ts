// SARIF 2.1.0 (what GitHub code scanning and most CI viewers ingest). Paths are relative to the
// directory the lint ran in, declared as %SRCROOT%; partialFingerprints carry the baseline identity so
// viewers track a finding across line moves the same way the baseline does.
import { TOOL_NAME, TOOL_VERSION } from "./version";
import { RULE_IDS, type Finding, type RuleId } from "./types";

const RULE_TEXT: Record<RuleId, { short: string; level: "error" | "warning" }> = {
  "no-legacy-tables": { short: "SQL touches a legacy table on the deny-list", level: "error" },
  "dynamic-sql": { short: "SQL built at runtime cannot be checked", level: "warning" },
  "unparseable-sql": { short: "SQL at a query call or in a .sql file does not parse as PostgreSQL", level: "error" },
  "invalid-suppression": { short: "Suppression comment without rule or reason", level: "error" },
};

export function sarifReport(findings: readonly Finding[]): Record<string, unknown> {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            rules: RULE_IDS.map((id) => ({
              id,
              shortDescription: { text: RULE_TEXT[id].short },
              defaultConfiguration: { level: RULE_TEXT[id].level },
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "directory pg2convex lint ran in" } } },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: RULE_IDS.indexOf(f.rule),
          level: f.severity,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: "%SRCROOT%" },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
          partialFingerprints: { "pg2convexLint/v1": f.fingerprint },
        })),
      },
    ],
  };
}

export function formatSarif(findings: readonly Finding[]): string {
  return JSON.stringify(sarifReport(findings), null, 2);
}
