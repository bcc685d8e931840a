// Test helpers: an engine with default options plus overrides, temp projects, and in-process CLI runs.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import type { CommandIo } from "../../src/lint/cli-options";
import { engineConfig, LintOptionsSchema } from "../../src/lint/config";
import { LintEngine, type FileLint } from "../../src/lint/engine";

export interface EngineOverrides {
  deny?: string[];
  searchPath?: string[];
  tags?: string[];
  calls?: string[];
  strict?: boolean;
}

export function engine(o: EngineOverrides = {}): LintEngine {
  return new LintEngine(engineConfig(LintOptionsSchema.parse(o)));
}

export function lint(code: string, file = "src/example.ts", o: EngineOverrides = {}): FileLint {
  return engine(o).lintText(code, file);
}

/** `rule table` for each finding (table omitted when absent), sorted: easy to compare as a multiset. */
export function summary(r: FileLint): string[] {
  return r.findings.map((f) => (f.table ? `${f.rule} ${f.table}` : f.rule)).sort();
}

const created: string[] = [];
// Registered when a test file imports this module, so each file removes the projects it made.
afterAll(() => {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
});

export function tempProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "pg2convex-lint-"));
  created.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export interface Captured {
  io: CommandIo;
  out: () => string;
  err: () => string;
}

export function capture(cwd: string, env: Record<string, string | undefined> = {}): Captured {
  let out = "";
  let err = "";
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, cwd },
    out: () => out,
    err: () => err,
  };
}
