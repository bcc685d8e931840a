// Inline suppressions:
//   // pg2convex-lint-disable-next-line no-legacy-tables -- reason
//   -- pg2convex-lint-disable-line dynamic-sql, unparseable-sql -- reason      (inside SQL)
// A directive must name the rule(s) and give a reason after ` -- `; one that does not is itself an
// `invalid-suppression` finding and suppresses nothing. `next-line` covers findings on the following
// line and every finding of a SQL site whose expression starts on that line.
import type { CommentInfo } from "./comments";
import type { LineIndex } from "./lines";
import { RULE_IDS, type Finding, type RuleId } from "./types";

export const DIRECTIVE_PREFIX = "pg2convex-lint-";
const KINDS = { "pg2convex-lint-disable-next-line": "next-line", "pg2convex-lint-disable-line": "line" } as const;

export interface Directive {
  rules: RuleId[];
  reason: string;
  targetLine: number;
}

export interface DirectiveProblem {
  offset: number;
  message: string;
}

export function parseDirectives(comments: readonly CommentInfo[], lines: LineIndex): { directives: Directive[]; problems: DirectiveProblem[] } {
  const directives: Directive[] = [];
  const problems: DirectiveProblem[] = [];
  for (const c of comments) {
    const text = c.text.trim();
    if (!text.startsWith(DIRECTIVE_PREFIX)) continue;
    const keyword = text.split(/\s/, 1)[0]!;
    const kind = KINDS[keyword as keyof typeof KINDS];
    if (!kind) {
      problems.push({ offset: c.start, message: `unknown directive \`${keyword}\`: use pg2convex-lint-disable-next-line or pg2convex-lint-disable-line` });
      continue;
    }
    const rest = text.slice(keyword.length);
    const sep = rest.indexOf("--");
    const rules = (sep < 0 ? rest : rest.slice(0, sep)).split(/[\s,]+/).filter(Boolean);
    const reason = sep < 0 ? "" : rest.slice(sep + 2).trim();
    const errors: string[] = [];
    if (rules.length === 0) errors.push(`must name the rule it disables (${RULE_IDS.join(", ")})`);
    for (const r of rules) if (!RULE_IDS.includes(r as RuleId)) errors.push(`names unknown rule \`${r}\``);
    if (reason === "") errors.push("needs a reason after ` -- `");
    if (errors.length > 0) {
      problems.push({ offset: c.start, message: `${keyword} ${errors.join("; ")}; it suppresses nothing` });
      continue;
    }
    const line = kind === "next-line" ? lines.line(c.end) + 1 : lines.line(c.start);
    directives.push({ rules: rules as RuleId[], reason, targetLine: line });
  }
  return { directives, problems };
}

export function applyDirectives(findings: readonly Finding[], directives: readonly Directive[]): { kept: Finding[]; suppressed: Finding[] } {
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const hit = directives.some((d) => d.rules.includes(f.rule) && (d.targetLine === f.line || d.targetLine === f.siteLine));
    (hit ? suppressed : kept).push(f);
  }
  return { kept, suppressed };
}
