// The layout's import rules (issue 11): no import cycle anywhere in src/ (type-only imports count), no stage
// importing the pipeline that wires it, and each stage's index.ts only re-exporting its contract and factory.
// Pure: reads the source tree, needs no PostgreSQL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { describeCycle, importCycles, importGraph, importsOf } from "./import-graph";

const root = resolve(import.meta.dirname, "../..");
const src = join(root, "src");
const STAGES = ["source", "decode", "assemble", "plan", "sink", "checkpoint", "backfill"] as const;

describe("the import graph reader", () => {
  const dir = mkdtempSync(join(tmpdir(), "pg2c-imports-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  };

  it("finds a cycle made of a type-only import and an export-from, and a self-import", () => {
    write("cyc/contract.ts", 'import type { Impl } from "./impl";\nexport interface Contract { impl: Impl }\n');
    write("cyc/impl.ts", 'export * from "./index";\nexport class Impl {}\n');
    write("cyc/index.ts", 'export type { Contract } from "./contract.ts";\n');
    write("cyc/self.ts", 'import "./self.js";\n');
    write("cyc/ok.ts", 'import { x } from "node:fs";\nconst y = await import("./leaf");\nexport { x, y };\n');
    write("cyc/leaf.ts", "export const leaf = 1;\n");
    const cycles = importCycles(importGraph(join(dir, "cyc"))).map((c) => describeCycle(c, join(dir, "cyc")));
    expect(cycles.sort()).toEqual(["contract.ts ↔ impl.ts ↔ index.ts", "self.ts"]);
    expect(importsOf(join(dir, "cyc/ok.ts"))).toEqual([join(dir, "cyc/leaf.ts")]);
  });

  it("reports nothing for a tree without cycles", () => {
    write("tree/index.ts", 'export { a } from "./a";\nexport type { B } from "./b";\n');
    write("tree/a.ts", 'import type { B } from "./b";\nexport const a = (b: B) => b;\n');
    write("tree/b.ts", "export type B = number;\n");
    expect(importCycles(importGraph(join(dir, "tree")))).toEqual([]);
  });
});

describe("src/ import rules", () => {
  const graph = importGraph(src);

  it("has no import cycle (type-only imports included)", () => {
    expect(importCycles(graph).map((c) => describeCycle(c, root))).toEqual([]);
  });

  it("has no stage importing src/pipeline/ (the pipeline wires the stages, never the reverse)", () => {
    const pipeline = join(src, "pipeline") + "/";
    const offending: string[] = [];
    for (const [file, deps] of graph) {
      const stage = STAGES.find((s) => file.startsWith(join(src, s) + "/"));
      if (stage) for (const d of deps) if (d.startsWith(pipeline)) offending.push(`${relative(root, file)} → ${relative(root, d)}`);
    }
    expect(offending).toEqual([]);
  });

  it.each(STAGES)("src/%s/index.ts only re-exports", (stage) => {
    const file = join(src, stage, "index.ts");
    const parsed = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
    const notReExports = parsed.statements.filter((s) => !(ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined)).map((s) => s.getText(parsed).split("\n")[0]);
    expect(notReExports).toEqual([]);
  });
});
