// What analysing SQL text yields, shared by the statement analyser (analyze-sql.ts) and the walker of routine
// bodies (sql-routines.ts). The two recurse into each other (a function body holds SQL, which may define
// functions): the walker analyses what it finds with the analyser it is handed, so neither imports the other.
import type { StatementInfo } from "./types";

export type SqlAnalysis = { ok: true; statements: StatementInfo[] } | { ok: false; message: string; offset: number };

/** Analyses `text`; `depth` counts the SQL-inside-SQL levels above it (bounded by the analyser). */
export type SqlAnalyzer = (text: string, depth: number) => SqlAnalysis;

/**
 * Runs `analyze` on `prefix + text` (to read a fragment such as an expression or a FROM clause) and shifts the
 * offsets back into `text`. Offsets inside the prefix clamp to 0.
 */
export function analyzeWrappedWith(analyze: SqlAnalyzer, text: string, prefix: string, depth: number): SqlAnalysis {
  const a = analyze(prefix + text, depth);
  if (!a.ok) return a;
  const shift = (o: number) => Math.max(0, o - prefix.length);
  return {
    ok: true,
    statements: a.statements.map((s) => ({
      ...s,
      offset: shift(s.offset),
      relations: s.relations.map((r) => ({ ...r, offset: shift(r.offset) })),
      unresolved: s.unresolved.map((d) => ({ ...d, offset: shift(d.offset) })),
    })),
  };
}
