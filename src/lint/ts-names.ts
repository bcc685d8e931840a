// Names of tags/call targets as written (`pool.query`, `Prisma.sql`, `this.db.$queryRaw`) and the
// configured patterns they are matched against.
import ts from "typescript";

/** Dotted name of an expression; parts that are not names (calls, awaits, …) render as `?` or `name()`. */
export function dottedName(e: ts.Expression): string {
  if (ts.isIdentifier(e) || ts.isPrivateIdentifier(e)) return e.text;
  if (e.kind === ts.SyntaxKind.ThisKeyword) return "this";
  if (ts.isPropertyAccessExpression(e)) return `${dottedName(e.expression)}.${e.name.text}`;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return `${dottedName(e.expression)}.${e.argumentExpression.text}`;
  if (ts.isCallExpression(e)) return `${dottedName(e.expression)}()`;
  if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) return dottedName(e.expression);
  return "?";
}

/**
 * A pattern starting with `.` matches a member of any receiver (`.query` matches `pool.query` and
 * `this.db.query`, not a bare `query`); any other pattern must equal the whole dotted name.
 */
export class CalleeMatcher {
  private readonly exact = new Set<string>();
  private readonly members = new Set<string>();

  constructor(patterns: readonly string[]) {
    for (const p of patterns) {
      if (p.startsWith(".")) this.members.add(p.slice(1));
      else this.exact.add(p);
    }
  }

  matches(name: string): boolean {
    if (this.exact.has(name)) return true;
    const dot = name.lastIndexOf(".");
    return dot > 0 && this.members.has(name.slice(dot + 1));
  }

  /** Last name segments any pattern can match: a file mentioning none of them has no SQL sites. */
  keywords(): string[] {
    return [...this.members, ...[...this.exact].map((e) => e.slice(e.lastIndexOf(".") + 1))];
  }
}
