// Which files are linted: extensions, exclude globs, explicit files, unreadable paths.
import { describe, expect, it } from "vitest";
import { listSourceFiles, displayPath } from "../../src/lint/files";
import { globToRegExp } from "../../src/lint/glob";
import { LintConfigError } from "../../src/lint/errors";
import { tempProject } from "./helpers";

describe("file discovery", () => {
  const root = tempProject({
    "src/a.ts": "",
    "src/b.tsx": "",
    "src/c.d.ts": "",
    "src/d.sql": "",
    "src/e.md": "",
    "src/node_modules/x/index.js": "",
    "src/gen/f.mjs": "",
  });

  it("lists TS/JS/SQL files minus excluded globs, sorted", () => {
    const files = listSourceFiles(["src"], ["**/node_modules/**", "**/*.d.ts", "src/gen/**"], root).map((f) => displayPath(f, root));
    expect(files).toEqual(["src/a.ts", "src/b.tsx", "src/d.sql"]);
  });

  it("lints an explicitly named file even when a glob excludes it", () => {
    expect(listSourceFiles(["src/c.d.ts"], ["**/*.d.ts"], root).map((f) => displayPath(f, root))).toEqual(["src/c.d.ts"]);
  });

  it("fails with CONFIG_INVALID for a path that does not exist", () => {
    expect(() => listSourceFiles(["nope"], [], root)).toThrow(LintConfigError);
  });

  it("globs: ** spans directories, * stays in one segment", () => {
    expect(globToRegExp("**/*.d.ts").test("a/b/c.d.ts")).toBe(true);
    expect(globToRegExp("**/*.d.ts").test("c.d.ts")).toBe(true);
    expect(globToRegExp("src/*.ts").test("src/a/b.ts")).toBe(false);
    expect(globToRegExp("src/?.ts").test("src/a.ts")).toBe(true);
  });
});
