// Loads a Convex app folder the way `npx convex dev` would select it, and shapes it for convex-test.
// Entry points follow the Convex CLI's rules (bundler/index.ts `entryPoints`): JS/TS files outside
// `_generated/`, not schema.ts, not dotfiles, no second dot (`*.config.ts`, `*.test.ts`), no spaces,
// and no nested component folders (those that hold a convex.config.ts).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import { Pg2ConvexError } from "../errors";

/** The modules map convex-test expects: keys are file paths, one of them containing "_generated". */
export type ConvexModules = Record<string, () => Promise<Record<string, unknown>>>;

export interface ConvexApp {
  modules: ConvexModules;
  /** Deployable modules by Convex module path ("lib/math", no extension), already imported. */
  entryPoints: Map<string, Record<string, unknown>>;
  schema: SchemaDefinition<GenericSchema, boolean> | undefined;
}

const SOURCE_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx"];
/** Virtual root for module keys: convex-test finds the root by splitting the first "_generated" key. */
const KEY_ROOT = "convex/";

/** Builds the convex-test modules map for `convexDir` (every module imported eagerly, so errors surface now). */
export async function loadConvexModules(convexDir: string): Promise<ConvexModules> {
  return (await loadConvexApp(convexDir)).modules;
}

export async function loadConvexApp(convexDir: string): Promise<ConvexApp> {
  if (!existsSync(convexDir) || !statSync(convexDir).isDirectory()) {
    throw new Pg2ConvexError("CONFIG_INVALID", `Convex folder not found: ${convexDir}`, { context: { convexDir }, fix: "pass --convex-dir pointing at a folder holding your Convex functions" });
  }
  const files = walk(convexDir, convexDir).map((abs) => relative(convexDir, abs).split(sep).join("/"));
  const generated = files.filter((f) => f.startsWith("_generated/") && isSource(f) && !f.endsWith(".d.ts"));
  if (generated.length === 0) {
    throw new Pg2ConvexError("CONFIG_INVALID", `No _generated folder with JavaScript files in ${convexDir}`, { context: { convexDir }, fix: "run `npx convex codegen` (or add hand-written _generated/server.js and api.js)" });
  }
  const schemaFile = files.find((f) => f === "schema.ts" || f === "schema.js");
  const entryFiles = files.filter((f) => isEntryPoint(f));

  const modules: ConvexModules = {};
  const entryPoints = new Map<string, Record<string, unknown>>();
  let schema: unknown;
  // `_generated` keys first: convex-test derives the modules root from the first key containing it.
  for (const file of [...generated, ...(schemaFile ? [schemaFile] : []), ...entryFiles]) {
    const mod = await importModule(convexDir, file);
    modules[KEY_ROOT + file] = () => Promise.resolve(mod);
    if (file === schemaFile) schema = mod.default;
    if (!entryFiles.includes(file)) continue;
    const modulePath = file.replace(/\.[^./]+$/, "");
    if (entryPoints.has(modulePath)) {
      throw new Pg2ConvexError("CONFIG_INVALID", `Two files define the Convex module "${modulePath}"`, { context: { convexDir, file }, fix: "keep one source file per module name" });
    }
    entryPoints.set(modulePath, mod);
  }
  return { modules, entryPoints, schema: schema as ConvexApp["schema"] };
}

function walk(dir: string, root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      if (existsSync(join(abs, "convex.config.ts"))) continue; // a nested component: deployed separately
      out.push(...walk(abs, root));
    } else if (entry.isFile()) {
      out.push(abs);
    }
  }
  return out.sort();
}

function isSource(file: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => file.endsWith(ext));
}

function isEntryPoint(file: string): boolean {
  const base = file.slice(file.lastIndexOf("/") + 1);
  return isSource(file) && !file.startsWith("_generated/") && !base.startsWith(".") && !base.startsWith("#") && base !== "schema.ts" && base !== "schema.js" && (base.match(/\./g) ?? []).length <= 1 && !file.includes(" ");
}

async function importModule(convexDir: string, file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(join(convexDir, file)).href)) as Record<string, unknown>;
  } catch (e) {
    throw new Pg2ConvexError("CONFIG_INVALID", `Could not load Convex module ${file}: ${(e as Error).message}`, {
      context: { convexDir, file },
      fix: "fix the module so it imports cleanly (run with tsx so .ts files load)",
      cause: e,
    });
  }
}
