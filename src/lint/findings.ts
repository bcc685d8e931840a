// Rules over analysed sites. Severity: touching a denied table, a malformed suppression and SQL that
// does not parse are errors (a guardrail fails closed: unparsed SQL may touch any table); SQL built at
// runtime is a warning unless `strict` makes it an error, because the lint already did all it can.
import { createHash } from "node:crypto";
import { parserMajorVersion } from "./pg-parser";
import type { TableNames } from "./deny";
import type { LineIndex } from "./lines";
import type { Access, Finding, RelationRef, RuleId, StatementInfo, Unresolved } from "./types";

export interface FindingContext {
  file: string;
  lines: LineIndex;
  deny: TableNames;
  strict: boolean;
  /** Line of the site's expression (for suppressions placed above a multi-line statement). */
  siteLine: number | undefined;
}

const VERB: Record<Access, string> = { read: "reads", write: "writes", ddl: "changes or references" };

export function fingerprint(rule: RuleId, basis: string, table = ""): string {
  return createHash("sha256").update(`${rule}\0${basis}\0${table}`).digest("hex").slice(0, 16);
}

/** Whitespace-insensitive basis for texts that have no parser fingerprint. */
export function textBasis(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function severity(rule: RuleId, strict: boolean): "error" | "warning" {
  return rule === "dynamic-sql" ? (strict ? "error" : "warning") : "error";
}

export function makeFinding(ctx: FindingContext, rule: RuleId, offset: number, message: string, basis: string, extra: Partial<Finding> = {}): Finding {
  const pos = ctx.lines.position(offset);
  return {
    rule,
    severity: severity(rule, ctx.strict),
    file: ctx.file,
    line: pos.line,
    column: pos.column,
    message,
    fingerprint: fingerprint(rule, basis, extra.table),
    ...(ctx.siteLine === undefined ? {} : { siteLine: ctx.siteLine }),
    ...extra,
  };
}

export function statementFindings(ctx: FindingContext, s: StatementInfo): Finding[] {
  const out: Finding[] = [];
  for (const rel of s.relations) {
    const f = relationFinding(ctx, s, rel);
    if (f) out.push(f);
  }
  for (const u of s.unresolved) out.push(unresolvedFinding(ctx, u, `${s.fingerprint}\0${u.reason}`));
  return out;
}

function relationFinding(ctx: FindingContext, s: StatementInfo, rel: RelationRef): Finding | undefined {
  const extra = { access: rel.access, statementKind: s.kind };
  const kind = s.within ? `${s.kind} in ${s.within} body` : s.kind;
  const hole = rel.dynamicHole;
  if (hole !== undefined) {
    if (hole.part === "schema" && ctx.deny.mayCover(rel.name)) {
      const msg = `${kind} ${VERB[rel.access]} table ${rel.name} in a schema chosen at runtime (\`\${${hole.expr}}\`); it may be a legacy table`;
      return makeFinding(ctx, "no-legacy-tables", rel.offset, msg, s.fingerprint, { ...extra, table: `?.${rel.name}` });
    }
    const msg = `${kind} ${VERB[rel.access]} a table whose name is built at runtime (\`\${${hole.expr}}\`); it cannot be checked`;
    return makeFinding(ctx, "dynamic-sql", rel.offset, msg, `${s.fingerprint}\0${hole.expr}`, extra);
  }
  if (!ctx.deny.covers(rel)) return undefined;
  const table = ctx.deny.resolve(rel).display;
  return makeFinding(ctx, "no-legacy-tables", rel.offset, `${kind} ${VERB[rel.access]} legacy table ${table}`, s.fingerprint, { ...extra, table });
}

/** `basis` must not include the message's advice, so that baselines outlive its wording. */
export function unresolvedFinding(ctx: FindingContext, u: Unresolved, basis: string): Finding {
  return makeFinding(ctx, u.rule, u.offset, u.rule === "unparseable-sql" ? `${oneLine(u.reason)}${unparseableAdvice(ctx.file)}` : u.reason, basis);
}

/** The parser quotes the text at the error, which after an unterminated quote is the rest of the file. */
function oneLine(reason: string): string {
  const flat = reason.replace(/\s+/g, " ");
  return flat.replace(/(at or near ")(.*)"$/, (all, lead: string, near: string) => (near.length > 40 ? `${lead}${near.slice(0, 37)}..."` : all));
}

function unparseableAdvice(file: string): string {
  const comment = file.endsWith(".sql") ? "--" : "//";
  return (
    ` (checked with the PostgreSQL ${parserMajorVersion()} parser). Unparsed SQL may touch any table, so this fails the run: ` +
    `fix the SQL, or if it is intentional (e.g. newer syntax), put \`${comment} pg2convex-lint-disable-next-line unparseable-sql -- <reason>\` on the line above`
  );
}
