// Comments that may hold suppression directives, with file offsets. TS/JS comments come from the
// TypeScript parser's trivia (so `//` inside a string or template is never a comment); SQL comments
// inside a site come from the PostgreSQL lexer.
import ts from "typescript";
import { scanSql } from "./pg-parser";
import type { Rendered } from "./sql-text";

export interface CommentInfo {
  /** Text without the comment delimiters. */
  text: string;
  start: number;
  end: number;
}

/** Comments of `sf` whose ranges contain one of `positions` (typically where a directive keyword occurs). */
export function tsComments(sf: ts.SourceFile, positions: readonly number[]): CommentInfo[] {
  const out = new Map<number, CommentInfo>();
  const text = sf.text;
  const wanted = (from: number, to: number) => positions.some((p) => p >= from && p < to);
  const visit = (node: ts.Node): void => {
    for (const child of node.getChildren(sf)) {
      if (!wanted(child.pos, child.end)) continue;
      // JSX text has no trivia: a `//` there is text on the page, not a comment.
      if (child.kind !== ts.SyntaxKind.JsxText) {
        // Trivia before a token: comments still on the previous token's line count as that token's
        // "trailing" comments, the rest as this one's "leading" ones; together they are all of them.
        const ranges = [...(ts.getTrailingCommentRanges(text, child.pos) ?? []), ...(ts.getLeadingCommentRanges(text, child.pos) ?? [])];
        for (const r of ranges) {
          const raw = text.slice(r.pos, r.end);
          const inner = r.kind === ts.SyntaxKind.SingleLineCommentTrivia ? raw.slice(2) : raw.slice(2, -2);
          out.set(r.pos, { text: inner, start: r.pos, end: r.end });
        }
      }
      if (child.getChildCount(sf) > 0) visit(child);
    }
  };
  visit(sf);
  return [...out.values()];
}

/** SQL comments of a site's text, mapped back to file offsets. */
export function sqlComments(rendered: Rendered): CommentInfo[] {
  const tokens = scanSql(rendered.text) ?? [];
  const out: CommentInfo[] = [];
  for (const t of tokens) {
    if (t.tokenName === "SQL_COMMENT") out.push({ text: t.text.slice(2), start: rendered.toSource(t.start), end: rendered.toSource(t.end - 1) + 1 });
    else if (t.tokenName === "C_COMMENT") out.push({ text: t.text.slice(2, -2), start: rendered.toSource(t.start), end: rendered.toSource(t.end - 1) + 1 });
  }
  return out;
}
