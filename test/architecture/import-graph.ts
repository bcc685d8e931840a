// The import graph of the TypeScript files reachable from a folder, as written in the source text: every
// relative import, export-from, side-effect import and import() counts, type-only ones included (a type-only
// cycle still means two files cannot be read or moved apart). Package imports are not followed.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** File → the files it imports, all as absolute paths. */
export type ImportGraph = Map<string, string[]>;

export function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFilesUnder(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (`./x`, `./x.ts`, `./x.js`, `./dir` → dir/index.ts), or null. */
function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, join(base, "index.ts"), base.replace(/\.m?js$/, ".ts")];
  return candidates.find((c) => c.endsWith(".ts") && existsSync(c) && statSync(c).isFile()) ?? null;
}

export function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const out = new Set<string>();
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith(".")) continue;
    const target = resolveRelative(file, fileName);
    if (target) out.add(target);
  }
  return [...out];
}

/** The graph of every file under `root` and every file they reach by relative imports. */
export function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const todo = tsFilesUnder(root);
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const deps = importsOf(file);
    graph.set(file, deps);
    todo.push(...deps.filter((d) => !graph.has(d)));
  }
  return graph;
}

/** Strongly connected components with more than one file, or one file importing itself (Tarjan). */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A cycle as readable text: its files relative to `base`. */
export const describeCycle = (cycle: readonly string[], base: string): string => cycle.map((f) => relative(base, f)).join(" ↔ ");
