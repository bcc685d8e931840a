// The unit/integration split is a file-name rule (vitest.config.ts): `*.unit.test.ts` runs without the
// PostgreSQL cluster, every other `*.test.ts` runs with it. This keeps the rule true both ways by reading
// each test file and the test helpers it imports (product code under src/ is not followed: what a test
// starts is decided by the test): a unit test may reach nothing outside its own process, and a test that
// reaches nothing outside its process belongs in the unit project, where it runs without the cluster.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// Packages whose import means a process, a socket or a PostgreSQL connection.
const OUTSIDE_PACKAGES = new Set(["node:child_process", "child_process", "node:net", "node:http", "node:https", "pg", "pg-logical-replication", "convex/browser"]);
// Files that start the cluster, connect to it, or start a server or the CLI.
const OUTSIDE_FILES = [
  "test/support/pg.ts",
  "test/support/mirror-env.ts",
  "test/support/cli-process.ts",
  "test/support/fault-proxy.ts",
  "test/support/global-setup.ts",
  "src/devtools/pg-cluster.ts",
  "src/local-convex/index.ts",
  "src/local-convex/testing.ts",
];

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "fixtures" ? [] : testFiles(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [base, `${base}.ts`, join(base, "index.ts")].find((p) => existsSync(p) && statSync(p).isFile());
}

/** Why the file (with the test helpers it imports) reaches outside its process, or undefined if it does not. */
function outsideReason(file: string, seen = new Set<string>()): string | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const rel = relative(ROOT, file);
  if (OUTSIDE_FILES.includes(rel)) return rel;
  if (!rel.startsWith("test/")) return undefined;
  const text = readFileSync(file, "utf8");
  if (/\binject\(\s*["']pgAdminUrl/.test(text)) return `${rel} injects pgAdminUrl`;
  for (const [statement, spec] of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/g)) {
    if (/^\s*(?:import|export)\s+type\b/.test(statement)) continue; // types start nothing
    if (OUTSIDE_PACKAGES.has(spec!)) return `${rel} imports ${spec}`;
    if (!spec!.startsWith(".")) continue;
    const target = resolveImport(file, spec!);
    const why = target && outsideReason(target, seen);
    if (why) return target && OUTSIDE_FILES.includes(relative(ROOT, target)) ? `${rel} imports ${why}` : why;
  }
  return undefined;
}

const all = testFiles(join(ROOT, "test")).map((f) => ({ file: relative(ROOT, f), reason: outsideReason(f) }));

describe("unit and integration tests are told apart by file name", () => {
  it("finds the test files", () => {
    expect(all.filter((t) => t.file.endsWith(".unit.test.ts")).length).toBeGreaterThan(10);
    expect(all.filter((t) => !t.file.endsWith(".unit.test.ts")).length).toBeGreaterThan(10);
  });

  it("no *.unit.test.ts reaches PostgreSQL, a server or a child process", () => {
    const wrong = all.filter((t) => t.file.endsWith(".unit.test.ts") && t.reason).map((t) => `${t.file}: ${t.reason} (rename it to *.test.ts)`);
    expect(wrong).toEqual([]);
  });

  it("every other *.test.ts needs the integration project", () => {
    const wrong = all.filter((t) => !t.file.endsWith(".unit.test.ts") && !t.reason).map((t) => `${t.file} needs nothing outside its process: rename it to *.unit.test.ts`);
    expect(wrong).toEqual([]);
  });
});
