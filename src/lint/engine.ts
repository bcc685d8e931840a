// The engine shared by the CLI, the inventory and the ESLint plugin: source text → SQL sites →
// statements and relations → findings, with inline suppressions applied. `lintText` is synchronous
// (ESLint rules must be); it requires `loadPgParser()` to have resolved.
import { analyzeSite, type SiteAnalysis } from "./analyze-site";
import { analyzeSqlFile } from "./analyze-sql-file";
import { sqlComments, tsComments, type CommentInfo } from "./comments";
import type { EngineConfig } from "./config";
import { TableNames } from "./deny";
import { extractTsSites, parseTs } from "./extract-ts";
import { makeFinding, statementFindings, textBasis, unresolvedFinding, type FindingContext } from "./findings";
import { LineIndex } from "./lines";
import { applyDirectives, DIRECTIVE_PREFIX, parseDirectives } from "./suppress";
import { CalleeMatcher } from "./ts-names";
import type { Access, Finding, SiteRef } from "./types";
import type ts from "typescript";

export interface SiteRelation {
  /** Resolved display name (`public.users`), or `?(expr)` where a template hole supplies the name. */
  table: string;
  /** Resolved schema and name (folded identifiers); absent for dynamic names. */
  schema?: string;
  name?: string;
  access: Access;
  dynamic?: string;
}

export interface AnalyzedSite extends SiteRef {
  /** `line` is where the statement starts (for a .sql file, the site is the whole file). */
  statements: { kind: string; line: number; relations: SiteRelation[]; within?: string }[];
  /** Reasons parts of this site could not be checked. */
  unresolved: string[];
}

export interface FileLint {
  file: string;
  sites: AnalyzedSite[];
  findings: Finding[];
  suppressed: Finding[];
}

/** A SQL site before rules: analysed text, or (for a call with a runtime argument) just that expression. */
type Site = { ref: SiteRef; analysis: SiteAnalysis; dynamicExpr?: undefined } | { ref: SiteRef; analysis?: undefined; dynamicExpr: string; start: number };

export class LintEngine {
  private readonly tags: CalleeMatcher;
  private readonly calls: CalleeMatcher;
  private readonly deny: TableNames;
  private readonly keywords: string[];

  constructor(readonly config: EngineConfig) {
    this.tags = new CalleeMatcher(config.tags);
    this.calls = new CalleeMatcher(config.calls);
    this.deny = new TableNames(config.deny, config.searchPath);
    this.keywords = [...this.tags.keywords(), ...this.calls.keywords()];
  }

  /** `file` is the display path used in findings; its extension decides how the text is read. */
  lintText(text: string, file: string): FileLint {
    const lines = new LineIndex(text);
    const hasDirectives = text.includes(DIRECTIVE_PREFIX);
    const { sf, sites } = this.sites(text, file, lines, hasDirectives);
    const result: FileLint = { file, sites: [], findings: [], suppressed: [] };
    const findings: Finding[] = [];
    const comments: CommentInfo[] = [];
    for (const site of sites) {
      if (site.analysis && !site.analysis.isSql) continue;
      result.sites.push(this.describe(site, lines));
      findings.push(...this.siteFindings(site, file, text, lines));
      if (hasDirectives) for (const r of site.analysis?.commentSources ?? []) if (r.text.includes(DIRECTIVE_PREFIX)) comments.push(...sqlComments(r));
    }
    if (hasDirectives && sf) comments.push(...tsComments(sf, occurrences(text, DIRECTIVE_PREFIX)));
    const { directives, problems } = parseDirectives(comments, lines);
    const { kept, suppressed } = applyDirectives(findings, directives);
    const ctx = this.context(file, lines, undefined);
    for (const p of problems) kept.push(makeFinding(ctx, "invalid-suppression", p.offset, p.message, textBasis(p.message)));
    result.findings = kept.sort((a, b) => a.line - b.line || a.column - b.column);
    result.suppressed = suppressed;
    return result;
  }

  private sites(text: string, file: string, lines: LineIndex, hasDirectives: boolean): { sf?: ts.SourceFile; sites: Site[] } {
    if (file.endsWith(".sql")) {
      const analysis = analyzeSqlFile(text);
      if (!analysis) return { sites: [] };
      const ref: SiteRef = { file, ...lines.position(0), origin: "sql-file", callee: "", scope: "" };
      return { sites: [{ ref, analysis }] };
    }
    // Cheap pre-check: without a tag/call name or a directive in the text there is nothing to find.
    if (!hasDirectives && !this.keywords.some((k) => text.includes(k))) return { sites: [] };
    const sf = parseTs(text, file);
    const sites = extractTsSites(sf, { tags: this.tags, calls: this.calls }).map((t): Site => {
      const ref: SiteRef = { file, ...lines.position(t.start), origin: t.origin, callee: t.callee, scope: t.scope };
      if (!t.parts) return { ref, dynamicExpr: t.dynamicExpr ?? "", start: t.start };
      return { ref, analysis: analyzeSite(t.parts, t.origin, t.start, { fragment: t.fragment, builderUse: t.builderUse }) };
    });
    return { sf, sites };
  }

  private context(file: string, lines: LineIndex, siteLine: number | undefined): FindingContext {
    return { file, lines, deny: this.deny, strict: this.config.strict, siteLine };
  }

  private siteFindings(site: Site, file: string, text: string, lines: LineIndex): Finding[] {
    // A .sql file is one site; "the line its expression starts on" would cover the whole file.
    const ctx = this.context(file, lines, site.ref.origin === "sql-file" ? undefined : site.ref.line);
    if (!site.analysis) {
      const msg = `SQL passed to ${site.ref.callee}(…) is computed at runtime (${site.dynamicExpr}) and cannot be checked`;
      return [makeFinding(ctx, "dynamic-sql", site.start, msg, `${site.ref.callee}\0${textBasis(site.dynamicExpr)}`)];
    }
    const a = site.analysis;
    return [
      ...a.statements.flatMap((s) => statementFindings(ctx, s)),
      // A .sql file's identity for an unparseable spot is its line, not the whole (ever-changing) file.
      ...a.unresolved.map((u) => unresolvedFinding(ctx, u, `${u.reason}\0${textBasis(site.ref.origin === "sql-file" ? lineAt(text, u.offset) : a.rendered.text)}`)),
    ];
  }

  private describe(site: Site, lines: LineIndex): AnalyzedSite {
    if (!site.analysis) return { ...site.ref, statements: [], unresolved: [`SQL computed at runtime: ${site.dynamicExpr}`] };
    const statements = site.analysis.statements.map((s) => ({
      kind: s.within ? `${s.kind} (in ${s.within})` : s.kind,
      line: lines.line(s.offset),
      ...(s.within ? { within: s.within } : {}),
      relations: s.relations.map((r): SiteRelation => {
        if (r.dynamicHole !== undefined) return { table: `?(${r.dynamicHole.expr})`, access: r.access, dynamic: r.dynamicHole.expr };
        const t = this.deny.resolve(r);
        return { table: t.display, schema: t.schema, name: t.name, access: r.access };
      }),
    }));
    const unresolved = [...site.analysis.unresolved, ...site.analysis.statements.flatMap((s) => s.unresolved)].map((u) => u.reason);
    return { ...site.ref, statements, unresolved };
  }
}

function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  return text.slice(start, end < 0 ? text.length : end);
}

function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) out.push(i);
  return out;
}
