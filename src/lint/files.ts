// Expands the paths to lint into the source files under them: TS/JS and .sql, minus `exclude` globs.
// A path that does not exist or cannot be read is a tool failure (exit 2), never an empty result.
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { unreadablePath } from "./errors";
import { GlobSet } from "./glob";

export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".sql"];

const isSource = (name: string) => SOURCE_EXTENSIONS.some((e) => name.endsWith(e));

/** Display path: relative to `cwd` with `/` separators (stable across machines, used by the baseline). */
export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return (rel === "" ? "." : rel).split(sep).join("/");
}

export function listSourceFiles(paths: readonly string[], exclude: readonly string[], cwd: string): string[] {
  const skip = new GlobSet(exclude);
  const found = new Set<string>();
  const walk = (abs: string): void => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      throw unreadablePath(displayPath(abs, cwd), e);
    }
    for (const d of entries) {
      const child = join(abs, d.name);
      const rel = displayPath(child, cwd);
      if (d.isDirectory()) {
        if (!skip.matches(`${rel}/`)) walk(child);
      } else if (d.isFile() && isSource(d.name) && !skip.matches(rel)) {
        found.add(child);
      }
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch (e) {
      throw unreadablePath(p, e);
    }
    // Files named explicitly are linted even if an exclude glob matches them.
    if (st.isDirectory()) walk(abs);
    else if (isSource(abs)) found.add(abs);
  }
  return [...found].sort();
}
