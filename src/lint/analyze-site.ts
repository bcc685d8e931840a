// One SQL site (a tagged template, a call argument or one statement of a .sql file) → statements with
// FILE offsets, plus what could not be checked. Holes are tried as `$n` parameters first, then as
// identifiers (a hole naming a table parses only that way); fragments are tried inside small wrappers.
//
// Fail closed: text at a configured tag or call that does not parse is reported, whatever it starts
// with. The only texts dropped as "not SQL" are constant texts that cannot be SQL at all (nothing but
// comments, one bare word such as a Convex table name, a Convex function name `dir/module:fn`) and, at
// a call whose result is used as a query builder, text with runtime holes that does not parse.
import { analyzeSql, type SqlAnalysis } from "./analyze-sql";
import { fingerprint, textBasis } from "./findings";
import { scanSql } from "./pg-parser";
import { salvageRelations } from "./sql-salvage";
import { isRuntimeHole, render, type Part, type Rendered, type HoleStyle, holeInName } from "./sql-text";
import type { RelationRef, StatementInfo, Unresolved } from "./types";

export type Origin = "tag" | "call" | "sql-file";

export interface SiteOptions {
  /** The site builds a fragment (a tag or knex-style `raw` call whose value is not awaited): try it in context. */
  fragment?: boolean;
  /** The call's result is used as an object (a query builder), so text with holes that does not parse is not SQL. */
  builderUse?: boolean;
}

export interface SiteAnalysis {
  /** False when a call argument turned out not to be SQL at all; such a site is dropped. */
  isSql: boolean;
  /** Offsets (statements, relations, unresolved) are file offsets. */
  statements: StatementInfo[];
  unresolved: Unresolved[];
  /** The site rendered with `$n` holes: what fingerprints of failures use. */
  rendered: Rendered;
  /** Texts whose SQL comments may hold suppression directives (a .sql file has one per statement). */
  commentSources: Rendered[];
}

/** Table name used by the fragment wrappers; never reported. */
const FRAGMENT_TABLE = "__pg2convex_fragment__";
type Wrapper = [prefix: string, suffix: string];
const STATEMENT: Wrapper[] = [["", ""]];
// A whole statement, an expression or select list, a clause after the select list, a JOIN or WHERE
// continuing a FROM list, an operator continuation (`= ANY(…)`, `AND …`), an infix separator (`, `),
// INSERT columns and VALUES, INSERT tails (ON CONFLICT, RETURNING), UPDATE's SET list.
const FRAGMENT: Wrapper[] = [
  ["", ""],
  ["SELECT ", ""],
  ["SELECT * ", ""],
  [`SELECT * FROM ${FRAGMENT_TABLE} `, ""],
  ["SELECT 1 ", ""],
  ["SELECT 1 ", " 1"],
  [`INSERT INTO ${FRAGMENT_TABLE} `, ""],
  [`INSERT INTO ${FRAGMENT_TABLE} SELECT 1 `, ""],
  // The alias keeps a leading name in the fragment (`users SET …`) from parsing as one.
  [`UPDATE ${FRAGMENT_TABLE} AS ${FRAGMENT_TABLE} `, ""],
];

export function analyzeSite(parts: readonly Part[], origin: Origin, siteOffset: number, opts: SiteOptions = {}): SiteAnalysis {
  const hasHoles = parts.some(isRuntimeHole);
  const styles: HoleStyle[] = hasHoles ? ["param", "ident"] : ["param"];
  const rendered = render(parts, "param");
  const site = { rendered, commentSources: [rendered] };
  let first: SqlAnalysis | undefined;
  for (const [prefix, suffix] of opts.fragment ? FRAGMENT : STATEMENT) {
    for (const style of styles) {
      const r = prefix === "" && suffix === "" && style === "param" ? rendered : render(parts, style, prefix, suffix);
      const a = analyzeSql(r.text);
      first ??= a;
      if (a.ok && (a.statements.length > 0 || origin === "sql-file")) {
        return { isSql: true, statements: a.statements.map((s) => mapStatement(s, r)), unresolved: [], ...site };
      }
    }
  }
  if (hasHoles ? opts.builderUse : origin !== "sql-file" && cannotBeSql(rendered.text)) return { isSql: false, statements: [], unresolved: [], ...site };
  if (hasHoles) {
    const holes = parts.filter(isRuntimeHole);
    const shown = holes.slice(0, 3).map((h) => "`${" + clip(h.expr) + "}`");
    const list = shown.join(", ") + (holes.length > 3 ? ` and ${holes.length - 3} more` : "");
    const reason = `SQL is assembled at runtime from ${list} and does not parse with those parts as placeholders, so it cannot be checked`;
    return { isSql: true, statements: salvaged(rendered), unresolved: [{ offset: siteOffset, rule: "dynamic-sql", reason }], ...site };
  }
  // `first` is the plain statement parse; its error is the one that names the real problem.
  const offset = !first || first.ok ? siteOffset : rendered.toSource(first.offset);
  const message = !first || first.ok ? "no SQL statement found" : first.message;
  return { isSql: true, statements: [], unresolved: [{ offset, rule: "unparseable-sql", reason: `SQL does not parse: ${message}` }], ...site };
}

/**
 * Text that no database would run as SQL: nothing but whitespace and comments, one bare word (a Convex
 * table name, `ASC`), or a Convex function name (`messages:list`, `dir/file:fn`).
 */
function cannotBeSql(text: string): boolean {
  if (/^\s*([\w$./-]+(:[\w$]+)?)?\s*$/.test(text)) return true;
  const tokens = scanSql(text);
  return tokens !== undefined && tokens.every((t) => t.tokenName === "SQL_COMMENT" || t.tokenName === "C_COMMENT");
}

function mapStatement(s: StatementInfo, r: Rendered): StatementInfo {
  const relations: RelationRef[] = [];
  for (const rel of s.relations) {
    if (rel.name === FRAGMENT_TABLE && rel.schema === undefined) continue;
    const inName = holeInName(rel.name, r.holes);
    const inSchema = rel.schema === undefined ? undefined : holeInName(rel.schema, r.holes);
    const dynamicHole = inName ? { expr: inName.expr, part: "name" as const } : inSchema ? { expr: inSchema.expr, part: "schema" as const } : undefined;
    relations.push({ ...rel, offset: r.toSource(rel.offset), ...(dynamicHole ? { dynamicHole } : {}) });
  }
  return {
    ...s,
    offset: r.toSource(s.offset),
    relations,
    unresolved: s.unresolved.map((u) => ({ ...u, offset: r.toSource(u.offset) })),
  };
}

function clip(expr: string): string {
  const one = expr.replace(/\s+/g, " ");
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

/** Relations the lexer can still see in SQL that does not parse (see sql-salvage.ts). */
function salvaged(r: Rendered): StatementInfo[] {
  const s = salvageRelations(r.text);
  if (!s || s.relations.length === 0) return [];
  const relations = s.relations.map((rel) => ({ ...rel, offset: r.toSource(rel.offset) }));
  return [{ kind: s.kind, fingerprint: fingerprint("dynamic-sql", textBasis(r.text)), offset: r.toSource(0), relations, unresolved: [] }];
}
