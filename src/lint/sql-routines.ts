// SQL hidden in function bodies and DO blocks. A LANGUAGE sql body is parsed as SQL; a PL/pgSQL body is
// parsed with PostgreSQL's PL/pgSQL parser and every embedded query/expression is analysed in turn.
// `EXECUTE` of a constant string is followed; `EXECUTE` of anything built at runtime is unresolved.
import { analyzeWrappedWith, type SqlAnalysis, type SqlAnalyzer } from "./sql-analysis";
import { parsePlpgsql, scanSql } from "./pg-parser";
import type { RoutineBody } from "./sql-relations";
import type { StatementInfo, Unresolved } from "./types";

export interface RoutineResult {
  statements: StatementInfo[];
  unresolved: Unresolved[];
}

type Node = Record<string, unknown>;
const DYNAMIC_STMTS: Record<string, string> = {
  PLpgSQL_stmt_dynexecute: "query",
  PLpgSQL_stmt_dynfors: "query",
  PLpgSQL_stmt_return_query: "dynquery",
  PLpgSQL_stmt_open: "dynquery",
};

/**
 * Offsets in the result are relative to `text` (the SQL the routine's statement came from). The SQL found in the
 * body is read with `analyze` (analyze-sql.ts's analyzeSql: the caller hands it in, see sql-analysis.ts).
 */
export function routineStatements(routine: RoutineBody, text: string, stmtStart: number, stmtText: string, toChar: (byte: number) => number, depth: number, analyze: SqlAnalyzer): RoutineResult {
  const defAt = toChar(routine.byteOffset);
  const found = text.indexOf(routine.body, defAt);
  // Quoted bodies ('…' with doubled quotes) do not appear verbatim; then positions fall back to AS.
  const bodyAt = found >= 0 ? found : defAt;
  const at = (bodyOffset: number) => (found >= 0 ? bodyAt + bodyOffset : bodyAt);
  const out: RoutineResult = { statements: [], unresolved: [] };
  if (routine.language === "sql") {
    collect(out, analyze(routine.body, depth), at, 0);
  } else if (routine.language === "plpgsql") {
    const tree = parsePlpgsql(stmtText);
    if (!tree.ok) {
      out.unresolved.push({ offset: stmtStart, rule: "unparseable-sql", reason: `PL/pgSQL body does not parse: ${tree.message}` });
    } else {
      walkPlpgsql(tree.tree, 1, routine.body, at, depth, analyze, out);
    }
  }
  return out;
}

function collect(out: RoutineResult, a: SqlAnalysis, at: (o: number) => number, base: number): void {
  if (!a.ok) {
    out.unresolved.push({ offset: at(base + a.offset), rule: "unparseable-sql", reason: `embedded SQL does not parse: ${a.message}` });
    return;
  }
  for (const s of a.statements) {
    out.statements.push({ ...s, offset: at(base + s.offset), relations: s.relations.map((r) => ({ ...r, offset: at(base + r.offset) })) });
    out.unresolved.push(...s.unresolved.map((u) => ({ ...u, offset: at(base + u.offset) })));
  }
}

function walkPlpgsql(value: unknown, line: number, body: string, at: (o: number) => number, depth: number, analyze: SqlAnalyzer, out: RoutineResult): void {
  if (Array.isArray(value)) {
    for (const v of value) walkPlpgsql(v, line, body, at, depth, analyze, out);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const node = value as Node;
  const here = typeof node.lineno === "number" ? node.lineno : line;
  for (const [key, child] of Object.entries(node)) {
    const dynField = DYNAMIC_STMTS[key];
    if (dynField && child && typeof child === "object") {
      const { [dynField]: query, ...rest } = child as Node;
      const lineno = typeof (child as Node).lineno === "number" ? ((child as Node).lineno as number) : here;
      if (query) dynamicQuery(query as Node, lineno, body, at, depth, analyze, out);
      walkPlpgsql(rest, lineno, body, at, depth, analyze, out);
    } else if (key === "PLpgSQL_expr") {
      expression(child as Node, here, body, at, depth, analyze, out);
    } else {
      walkPlpgsql(child, here, body, at, depth, analyze, out);
    }
  }
}

/** Position of `query` in the body, searching from the start of its (1-based) line. */
function locate(body: string, line: number, query: string): number {
  let from = 0;
  for (let l = 1; l < line && from >= 0; l++) from = body.indexOf("\n", from) + 1 || -1;
  if (from < 0) from = 0;
  const i = body.indexOf(query, from);
  return i >= 0 ? i : from;
}

function expression(expr: Node, line: number, body: string, at: (o: number) => number, depth: number, analyze: SqlAnalyzer, out: RoutineResult): void {
  const query = String(expr.query ?? "");
  const base = locate(body, line, query);
  const mode = Number(expr.parseMode ?? 0);
  if (mode === 0) return collect(out, analyze(query, depth), at, base);
  if (mode === 2) return collect(out, analyzeWrappedWith(analyze, query, "SELECT ", depth), at, base);
  if (mode >= 3 && mode <= 5) {
    // Assignment `target := expression`: analyse what follows the first := or = token.
    const op = scanSql(query)?.find((t) => t.text === ":=" || t.text === "=");
    if (op) collect(out, analyzeWrappedWith(analyze, query.slice(op.end), "SELECT ", depth), at, base + op.end);
  }
}

function dynamicQuery(expr: Node, line: number, body: string, at: (o: number) => number, depth: number, analyze: SqlAnalyzer, out: RoutineResult): void {
  const query = String(((expr.PLpgSQL_expr as Node | undefined) ?? expr).query ?? "");
  const base = locate(body, line, query);
  const tokens = scanSql(query);
  const only = tokens?.length === 1 ? tokens[0] : undefined;
  if (only?.tokenName === "SCONST" && only.text.startsWith("'")) {
    // A constant EXECUTE string is ordinary SQL once its quotes are undone.
    const sql = only.text.slice(1, -1).replace(/''/g, "'");
    return collect(out, analyze(sql, depth), (o) => at(base + 1 + o), 0);
  }
  out.unresolved.push({ offset: at(base), rule: "dynamic-sql", reason: `EXECUTE of SQL built at runtime (${query.trim()})` });
}
