// Lints files on disk with one engine: the in-process entry point of the CLI, inventory and bench.
import { readFileSync } from "node:fs";
import type { EngineConfig } from "./config";
import { LintEngine, type FileLint } from "./engine";
import { unreadablePath } from "./errors";
import { displayPath, listSourceFiles } from "./files";
import { loadPgParser } from "./pg-parser";

export interface LintRun {
  files: FileLint[];
  fileCount: number;
  siteCount: number;
}

export async function lintPaths(paths: readonly string[], exclude: readonly string[], config: EngineConfig, cwd = process.cwd()): Promise<LintRun> {
  await loadPgParser();
  const engine = new LintEngine(config);
  const files: FileLint[] = [];
  let siteCount = 0;
  for (const abs of listSourceFiles(paths, exclude, cwd)) {
    const file = displayPath(abs, cwd);
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch (e) {
      throw unreadablePath(file, e);
    }
    const result = engine.lintText(text, file);
    siteCount += result.sites.length;
    files.push(result);
  }
  return { files, fileCount: files.length, siteCount };
}
