// Finds SQL sites in TypeScript/JavaScript with the TypeScript parser: configured tagged templates
// (`sql\`…\``, `Prisma.sql\`…\``, `prisma.$queryRaw\`…\``) and the first argument of configured calls
// (`.query(…)`, `.unsafe(…)`, `.execute(…)`, …). Only code is searched: comments and strings that
// reach no configured tag or call are never SQL sites.
//
// Calls named `raw` (`knex.raw`, `trx.raw`) follow knex: their placeholders are read as knex reads them
// (see knex-bindings.ts), and like tagged templates they build fragments unless their value is awaited.
import ts from "typescript";
import { knexParts } from "./knex-bindings";
import { ConstResolver } from "./ts-consts";
import { CalleeMatcher, dottedName } from "./ts-names";
import { scopeOf } from "./ts-scope";
import { partsOf, resolveRoot, tagParts, unwrap, type PartsContext } from "./ts-sql-parts";
import type { Part } from "./sql-text";

export interface TsSite {
  origin: "tag" | "call";
  callee: string;
  /** Undefined when the SQL text is entirely computed at runtime. */
  parts?: Part[];
  /** The argument expression as written, when `parts` is undefined. */
  dynamicExpr?: string;
  /** A tag or `raw` call whose value is not awaited: it may hold a fragment rather than a statement. */
  fragment: boolean;
  /** The call's result is used as an object (a query builder such as Convex's `ctx.db.query(t).withIndex(…)`). */
  builderUse: boolean;
  /** File offset of the tag / call expression. */
  start: number;
  scope: string;
}

export interface TsMatchers {
  tags: CalleeMatcher;
  calls: CalleeMatcher;
}

export function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith(".tsx")) return ts.ScriptKind.TSX;
  if (file.endsWith(".jsx")) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export function parseTs(text: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
}

export function extractTsSites(sf: ts.SourceFile, m: TsMatchers): TsSite[] {
  const sites: TsSite[] = [];
  const ctx: PartsContext = {
    sf,
    consts: new ConstResolver(sf),
    isSqlTag: (t) => m.tags.matches(dottedName(t.tag)),
    consumed: new Set(),
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && ctx.isSqlTag(node) && !ctx.consumed.has(node)) {
      const site = { origin: "tag" as const, callee: dottedName(node.tag), parts: tagParts(node, ctx), start: node.getStart(sf), scope: scopeOf(node) };
      sites.push({ ...site, fragment: !isAwaited(node), builderUse: false });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && m.calls.matches(dottedName(node.expression))) {
      const site = callSite(node, ctx);
      if (site) sites.push(site);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // A tagged template inlined into a later site may already have been reported on its own.
  return sites.filter((s) => s.origin !== "tag" || !isConsumedAt(s, ctx, sf));
}

function isConsumedAt(site: TsSite, ctx: PartsContext, sf: ts.SourceFile): boolean {
  for (const n of ctx.consumed) if (n.getStart(sf) === site.start) return true;
  return false;
}

function callSite(call: ts.CallExpression, ctx: PartsContext): TsSite | undefined {
  const callee = dottedName(call.expression);
  const raw = /(^|\.)raw$/.test(callee);
  const base = { origin: "call" as const, callee, start: call.getStart(ctx.sf), scope: scopeOf(call), fragment: raw && !isAwaited(call), builderUse: !raw && usedAsObject(call) };
  let arg = unwrap(call.arguments[0]!);
  // node-postgres also accepts a query config object: `.query({ text, values })`.
  if (ts.isObjectLiteralExpression(arg)) {
    const text = arg.properties.find((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === "text");
    if (!text || !ts.isPropertyAssignment(text)) return undefined;
    arg = text.initializer;
  }
  const root = resolveRoot(arg, ctx);
  // A configured tagged template is a site of its own; reporting the call too would count it twice.
  if (ts.isTaggedTemplateExpression(root) && ctx.isSqlTag(root)) return undefined;
  if (!couldBeText(root)) return undefined;
  const parts = ts.isTaggedTemplateExpression(root) ? tagParts(root, ctx) : partsOf(arg, "interpolate", ctx);
  if (parts) return { ...base, parts: raw ? knexParts(parts, bindingKeys(call.arguments[1], ctx)) : parts };
  return !raw && notSqlCall(call, root) ? undefined : { ...base, dynamicExpr: arg.getText(ctx.sf) };
}

/**
 * Calls with a runtime argument that are recognisably not SQL execution, so that they raise no
 * dynamic-SQL alarm: query builders (`ctx.db.query(table).withIndex(…)`: the result is used as an
 * object, while a driver's `.query` result is awaited), Convex function references (`api.x.y`,
 * `internal.x.y`, `makeFunctionReference(…)`) and calls whose second argument is an object literal
 * (Convex `client.query(ref, { … })`; SQL drivers take a values array there).
 */
function notSqlCall(call: ts.CallExpression, root: ts.Expression): boolean {
  if (usedAsObject(call)) return true;
  const second = call.arguments[1];
  if (second && ts.isObjectLiteralExpression(unwrap(second))) return true;
  const name = dottedName(ts.isCallExpression(root) ? root.expression : root);
  if (ts.isCallExpression(root) && /(^|\.)makeFunctionReference$/.test(name)) return true;
  return ts.isPropertyAccessExpression(root) && /^(api|internal|components)\./.test(name);
}

/** The value of `e` is awaited (`await e`, `e.then(…)`): a tag or raw call run as a whole statement. */
function isAwaited(e: ts.Expression): boolean {
  let n: ts.Node = e;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  return ts.isAwaitExpression(p) || (ts.isPropertyAccessExpression(p) && p.expression === n && ["then", "catch", "finally"].includes(p.name.text));
}

/** A property of the call's result is used (other than then/catch/finally): a builder, not a driver promise. */
function usedAsObject(call: ts.CallExpression): boolean {
  const p = call.parent;
  return ts.isPropertyAccessExpression(p) && p.expression === call && !["then", "catch", "finally"].includes(p.name.text);
}

/** Keys of knex named bindings: the second argument when it is (a const holding) an object literal. */
function bindingKeys(arg: ts.Expression | undefined, ctx: PartsContext): Set<string> | undefined {
  const obj = arg && resolveRoot(arg, ctx);
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  const keys = new Set<string>();
  for (const p of obj.properties) {
    if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) keys.add(p.name.text);
  }
  return keys;
}

/** Arguments that cannot be SQL text (functions, numbers, arrays, objects, …) are not sites. */
function couldBeText(e: ts.Expression): boolean {
  return !(
    ts.isArrowFunction(e) ||
    ts.isFunctionExpression(e) ||
    ts.isNumericLiteral(e) ||
    ts.isArrayLiteralExpression(e) ||
    ts.isObjectLiteralExpression(e) ||
    ts.isClassExpression(e) ||
    ts.isRegularExpressionLiteral(e) ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    e.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(e) && e.text === "undefined")
  );
}
