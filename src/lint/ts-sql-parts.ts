// Turns a TS/JS expression into SQL parts (literal text with file positions, and holes).
//
// Two semantics, because drivers differ:
// - `interpolate` (a plain string or template passed to `.query(…)`): the value is spliced into the
//   SQL text, so holes that resolve to constant strings are inlined (`FROM ${TABLE}` with
//   `const TABLE = "users"` reads users).
// - `param` (a configured tagged template): holes are bound parameters, except nested configured
//   tagged templates (SQL fragments), which are inlined.
import ts from "typescript";
import type { ConstResolver } from "./ts-consts";
import { isHole, type Hole, type Literal, type Part } from "./sql-text";

export type Semantics = "interpolate" | "param";

export interface PartsContext {
  sf: ts.SourceFile;
  consts: ConstResolver;
  isSqlTag(tag: ts.TaggedTemplateExpression): boolean;
  /** Nested tagged templates that were inlined; they are not reported again as sites of their own. */
  consumed: Set<ts.Node>;
}

const MAX_RESOLVE_DEPTH = 8;

export function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/** Follows const identifiers to the expression that produces the value. */
export function resolveRoot(e: ts.Expression, ctx: PartsContext, depth = 0): ts.Expression {
  const u = unwrap(e);
  if (depth < MAX_RESOLVE_DEPTH && ts.isIdentifier(u)) {
    const init = ctx.consts.resolve(u);
    if (init) return resolveRoot(init, ctx, depth + 1);
  }
  return u;
}

/** Parts of `e`, or undefined when nothing about its text is known statically. */
export function partsOf(e: ts.Expression, sem: Semantics, ctx: PartsContext, depth = 0): Part[] | undefined {
  const u = resolveRoot(e, ctx);
  if (ts.isStringLiteral(u) || ts.isNoSubstitutionTemplateLiteral(u)) return [literal(u, ctx.sf)];
  if (ts.isTemplateExpression(u)) return templateParts(u, sem, ctx, depth);
  if (ts.isTaggedTemplateExpression(u) && ctx.isSqlTag(u)) return tagParts(u, ctx, depth);
  if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken && depth < MAX_RESOLVE_DEPTH) {
    const left = partsOf(u.left, sem, ctx, depth + 1) ?? [hole(u.left, ctx.sf)];
    const right = partsOf(u.right, sem, ctx, depth + 1) ?? [hole(u.right, ctx.sf)];
    const all = [...left, ...right];
    return all.some((p) => !("expr" in p)) ? all : undefined;
  }
  return undefined;
}

export function tagParts(t: ts.TaggedTemplateExpression, ctx: PartsContext, depth = 0): Part[] {
  const tpl = t.template;
  return ts.isNoSubstitutionTemplateLiteral(tpl) ? [literal(tpl, ctx.sf)] : templateParts(tpl, "param", ctx, depth);
}

function templateParts(t: ts.TemplateExpression, sem: Semantics, ctx: PartsContext, depth: number): Part[] {
  const parts: Part[] = [literal(t.head, ctx.sf)];
  for (const span of t.templateSpans) {
    parts.push(...holeParts(span.expression, sem, ctx, depth));
    parts.push(literal(span.literal, ctx.sf));
  }
  return parts;
}

function holeParts(e: ts.Expression, sem: Semantics, ctx: PartsContext, depth: number): Part[] {
  if (depth >= MAX_RESOLVE_DEPTH) return [hole(e, ctx.sf)];
  const root = resolveRoot(e, ctx);
  if (ts.isTaggedTemplateExpression(root) && ctx.isSqlTag(root)) {
    ctx.consumed.add(root);
    return tagParts(root, ctx, depth + 1);
  }
  if (sem !== "interpolate") return [hole(e, ctx.sf)];
  const parts = partsOf(e, sem, ctx, depth + 1);
  if (!parts) return [hole(e, ctx.sf)];
  if (root === unwrap(e)) return parts;
  // Text that came through a const is reported where it is spliced in, not where the const is declared.
  const at = e.getStart(ctx.sf);
  return parts.map((p) => (isHole(p) ? p : { text: p.text, srcStart: at, exact: false }));
}

/** A string or template piece. Its cooked text is what reaches the database. */
function literal(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateHead | ts.TemplateMiddle | ts.TemplateTail, sf: ts.SourceFile): Literal {
  const start = node.getStart(sf) + 1; // after the opening quote, backtick or `}`
  const closing = ts.isTemplateHead(node) || ts.isTemplateMiddle(node) ? 2 : 1; // `${` or the closing quote
  const raw = sf.text.slice(start, node.end - closing);
  return { text: node.text, srcStart: start, exact: raw === node.text };
}

function hole(e: ts.Expression, sf: ts.SourceFile): Hole {
  return { expr: e.getText(sf), srcStart: e.getStart(sf), srcEnd: e.end };
}
