// SQL text → statements, each with its kind, fingerprint, relations and unresolvable dynamic SQL.
// All offsets in the result are character offsets into the text given.
import { byteToCharOffsets, fingerprintSql, parseSql } from "./pg-parser";
import { walkStatement } from "./sql-relations";
import type { SqlAnalysis } from "./sql-analysis";
import { routineStatements } from "./sql-routines";
import { statementKind } from "./statement-kind";
import type { StatementInfo } from "./types";

export type { SqlAnalysis } from "./sql-analysis";

/** Nesting limit for SQL inside SQL (function bodies, EXECUTE of constant strings). */
const MAX_DEPTH = 4;

export function analyzeSql(text: string, depth = 0): SqlAnalysis {
  const parsed = parseSql(text);
  if (!parsed.ok) return parsed;
  const toChar = byteToCharOffsets(text);
  const statements: StatementInfo[] = [];
  for (const s of parsed.result.stmts) {
    const byteStart = s.stmt_location ?? 0;
    const start = toChar(byteStart);
    const end = s.stmt_len ? toChar(byteStart + s.stmt_len) : text.length;
    const stmtText = text.slice(start, end);
    const walk = walkStatement(s.stmt, byteStart);
    const offset = skipTrivia(text, start);
    const info: StatementInfo = {
      kind: statementKind(s.stmt),
      fingerprint: fingerprintSql(stmtText),
      offset,
      relations: walk.relations.map((r) => ({
        ...(r.schema === undefined ? {} : { schema: r.schema }),
        name: r.name,
        access: r.access,
        // Names without a location of their own (DROP, COMMENT) point at the statement's first token.
        offset: r.byteOffset === byteStart ? offset : toChar(r.byteOffset),
      })),
      unresolved: [],
    };
    statements.push(info);
    if (depth < MAX_DEPTH) {
      for (const routine of walk.routines) {
        const nested = routineStatements(routine, text, start, stmtText, toChar, depth + 1, analyzeSql);
        // Statements of a body are listed after the statement that defines it, tagged with it.
        statements.push(...nested.statements.map((n) => ({ ...n, within: n.within ?? info.kind })));
        info.unresolved.push(...nested.unresolved);
      }
    }
  }
  return { ok: true, statements };
}

/** Skips whitespace and comments, which libpg-query counts into the statement that follows them. */
function skipTrivia(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith("--", i)) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 2;
    } else {
      return i;
    }
  }
}
