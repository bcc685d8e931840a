// One SQL site (a tagged template, a call argument or a .sql file) → statements with FILE offsets,
// plus what could not be checked. Holes are tried as `$n` parameters first, then as identifiers (a
// hole naming a table parses only that way); tagged fragments are tried inside small wrappers.
import { analyzeSql, type SqlAnalysis } from "./analyze-sql";
import { fingerprint, textBasis } from "./findings";
import { looksLikeSql } from "./looks-like-sql";
import { salvageRelations } from "./sql-salvage";
import { isHole, render, type Part, type Rendered, type HoleStyle, holeInName } from "./sql-text";
import type { RelationRef, StatementInfo, Unresolved } from "./types";

export type Origin = "tag" | "call" | "sql-file";

export interface SiteAnalysis {
  /** False when a call argument turned out not to be SQL at all; such a site is dropped. */
  isSql: boolean;
  /** Offsets (statements, relations, unresolved) are file offsets. */
  statements: StatementInfo[];
  unresolved: Unresolved[];
  /** The site rendered with `$n` holes: what comment scanning and fingerprints of failures use. */
  rendered: Rendered;
}

/** Table name used by the FROM wrapper; never reported. */
const FRAGMENT_TABLE = "__pg2convex_fragment__";
const WRAPPERS: Record<Origin, string[]> = {
  "sql-file": [""],
  call: [""],
  // Tagged fragments: an expression, a clause after the select list, or a JOIN continuing a FROM list.
  tag: ["", "SELECT ", "SELECT * ", `SELECT * FROM ${FRAGMENT_TABLE} `],
};

export function analyzeSite(parts: readonly Part[], origin: Origin, siteOffset: number): SiteAnalysis {
  const hasHoles = parts.some(isHole);
  const styles: HoleStyle[] = hasHoles ? ["param", "ident"] : ["param"];
  const rendered = render(parts, "param");
  let first: SqlAnalysis | undefined;
  for (const prefix of WRAPPERS[origin]) {
    for (const style of styles) {
      const r = prefix === "" && style === "param" ? rendered : render(parts, style, prefix);
      const a = analyzeSql(r.text);
      first ??= a;
      if (a.ok && (a.statements.length > 0 || origin === "sql-file")) {
        return { isSql: true, statements: a.statements.map((s) => mapStatement(s, r)), unresolved: [], rendered };
      }
    }
  }
  const looksSql = origin === "sql-file" || looksLikeSql(rendered.text);
  if (!looksSql) return { isSql: false, statements: [], unresolved: [], rendered };
  if (hasHoles) {
    const shown = rendered.holes.slice(0, 3).map((h) => "`${" + clip(h.expr) + "}`");
    const holes = shown.join(", ") + (rendered.holes.length > 3 ? ` and ${rendered.holes.length - 3} more` : "");
    const reason = `SQL is assembled at runtime from ${holes} and does not parse with those parts as placeholders, so it cannot be checked`;
    return { isSql: true, statements: salvaged(rendered), unresolved: [{ offset: siteOffset, rule: "dynamic-sql", reason }], rendered };
  }
  // `first` is the plain statement parse; its error is the one that names the real problem.
  const offset = !first || first.ok ? siteOffset : rendered.toSource(first.offset);
  const message = !first || first.ok ? "no SQL statement found" : first.message;
  return { isSql: true, statements: [], unresolved: [{ offset, rule: "unparseable-sql", reason: `SQL does not parse: ${message}` }], rendered };
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
