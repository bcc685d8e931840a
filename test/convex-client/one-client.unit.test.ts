// Everything that calls Convex goes through src/convex-client: no other file of the product builds an HTTP
// client, sets admin auth or spells a `module:name` function reference. Read with the TypeScript parser, so
// comments and strings that merely mention these names do not count.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The client itself, and the local stand-in (a Convex server, whose own tests need raw clients). */
const ALLOWED = ["src/convex-client/", "src/local-convex/"];

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (/\.(ts|mts|js|mjs)$/.test(e.name)) yield p;
  }
}

/** Each place in `source` that talks to Convex directly, as "line: what". */
function directConvexAccess(source: string, name = "x.ts"): string[] {
  const sf = ts.createSourceFile(name, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (n: ts.Node, what: string) => found.push(`${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}: ${what}`);
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const from = n.moduleSpecifier.text;
      if (from === "convex/browser") at(n, "imports convex/browser");
      const named = n.importClause?.namedBindings;
      if (from === "convex/server" && named && ts.isNamedImports(named)) {
        for (const s of named.elements) if (["makeFunctionReference", "anyApi"].includes((s.propertyName ?? s.name).text)) at(s, `imports ${s.name.text} from convex/server`);
      }
    }
    if (ts.isIdentifier(n) && ["ConvexHttpClient", "setAdminAuth"].includes(n.text)) at(n, n.text);
    // `${module}:name`: a function reference spelled by hand.
    if (ts.isTemplateExpression(n)) {
      for (const span of n.templateSpans) if (/module/i.test(span.expression.getText(sf)) && span.literal.text.startsWith(":")) at(span, `builds "${span.expression.getText(sf)}:…"`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe("one Convex client", () => {
  it("recognises each way of calling Convex directly, and not mentions of it", () => {
    const direct = ['import { ConvexHttpClient } from "convex/browser";', 'import { makeFunctionReference as ref } from "convex/server";', "(c as any).setAdminAuth(key);", "const f = `${opts.module}:getState`;"].join("\n");
    expect(directConvexAccess(direct)).toEqual(["1: imports convex/browser", "1: ConvexHttpClient", "2: imports ref from convex/server", "3: setAdminAuth", '4: builds "opts.module:…"']);
    const mentions = ["// a ConvexHttpClient with setAdminAuth", 'const s = "makeFunctionReference(`m:x`)";', 'import { defineSchema } from "convex/server";', "const t = `${table}:${key}`;"].join("\n");
    expect(directConvexAccess(mentions)).toEqual([]);
  });

  it("no file outside src/convex-client (and the stand-in) builds a Convex client or function reference", () => {
    const offenders: string[] = [];
    for (const dir of ["src", "bench"]) {
      for (const file of files(join(ROOT, dir))) {
        const rel = relative(ROOT, file).split("\\").join("/");
        if (ALLOWED.some((a) => rel.startsWith(a))) continue;
        const source = readFileSync(file, "utf8");
        // Parsing is the slow part: a file naming none of these cannot call Convex directly.
        if (!/ConvexHttpClient|setAdminAuth|convex\/(browser|server)|module/i.test(source)) continue;
        offenders.push(...directConvexAccess(source, rel).map((f) => `${rel}:${f}`));
      }
    }
    expect(offenders).toEqual([]);
  });
});
