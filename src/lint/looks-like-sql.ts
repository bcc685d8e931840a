// Whether text that failed to parse was meant to be SQL. Only then is it reported as unparseable;
// a string like "build" passed to some `.execute(…)` is not SQL and must not raise an alarm.
import { scanSql } from "./pg-parser";

/** Keywords a SQL command starts with. */
const COMMANDS = new Set([
  "select", "insert", "update", "delete", "merge", "with", "values", "table", "copy", "truncate", "create",
  "alter", "drop", "grant", "revoke", "comment", "explain", "analyze", "vacuum", "lock", "refresh", "do",
  "call", "begin", "commit", "rollback", "savepoint", "set", "reset", "show", "prepare", "execute", "listen", "notify",
]);
/** Keywords that only SQL clauses contain; a fragment holding one of them is SQL even if it starts elsewhere. */
const CLAUSES = new Set(["from", "into", "where", "join", "returning", "values", "select", "insert", "update", "delete"]);

function words(text: string): { first?: string; keywords: string[] } {
  const tokens = scanSql(text);
  if (tokens) {
    const meaningful = tokens.filter((t) => t.tokenName !== "SQL_COMMENT" && t.tokenName !== "C_COMMENT" && t.text !== "(");
    return { first: meaningful[0]?.text.toLowerCase(), keywords: meaningful.filter((t) => t.keywordKind > 0).map((t) => t.text.toLowerCase()) };
  }
  // Text the SQL lexer rejects (an unterminated quote): judge by its first word only.
  const first = text.trimStart().split(/[\s(;]/, 1)[0]?.toLowerCase();
  return { first, keywords: first ? [first] : [] };
}

/**
 * SQL-looking: starts with a SQL command, or contains a keyword only SQL clauses use (so a fragment or
 * a typo such as `SELEC * FROM t` still counts, while `"build"` or `", "` does not).
 */
export function looksLikeSql(text: string): boolean {
  const { first, keywords } = words(text);
  return (first !== undefined && COMMANDS.has(first)) || keywords.some((k) => CLAUSES.has(k));
}
