// Builds the published package: compiled JavaScript with type declarations in dist/ (run by `prepack`, so
// `npm pack` / `npm publish` always ship a fresh build; the repo's own dev flow runs the sources through tsx
// and never reads dist/). Layout: dist/ mirrors the repo (dist/src, dist/tables, dist/convex, dist/sql), so
// every `new URL("../../sql/…", import.meta.url)` in the sources finds the same file from the compiled code.
// Node's ESM loader needs full relative specifiers, and the sources import extension-less ("./define"), so
// each emitted file's relative specifiers are completed ("./define.js", "./values/index.js") when, and only
// when, the target file exists; anything else (text in comments, package names) is left as it is.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

const parsed = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.build.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) });
rmSync(dist, { recursive: true, force: true });
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
const emitted = program.emit(undefined, (file, text) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, completeSpecifiers(file, text));
});
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length > 0) fail(diagnostics);

// Files the compiled code reads at run time, at the same place relative to it as in the repo.
cpSync(join(root, "sql"), join(dist, "sql"), { recursive: true });
cpSync(join(root, "convex", "_generated"), join(dist, "convex", "_generated"), { recursive: true });
// src/lint/version.ts reads "../../package.json"; this one also makes dist/ an ES-module scope on its own.
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
writeFileSync(join(dist, "package.json"), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: "module", private: true }, null, 2)}\n`);
console.log(`built ${parsed.fileNames.length} files into dist/`);

function completeSpecifiers(file, text) {
  // The emitted file sits in dist/<same path as its source>; resolve against the source tree.
  const sourceDir = dirname(resolve(root, file.slice(dist.length + 1)));
  return text.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"'\n]*)\2/g, (whole, lead, q, spec) => {
    const done = complete(sourceDir, spec);
    return done ? `${lead}${q}${done}${q}` : whole;
  });
}

function complete(dir, spec) {
  const base = resolve(dir, spec);
  const isFile = (p) => existsSync(p) && statSync(p).isFile();
  if (/\.(m?js|cjs|json)$/.test(spec) && isFile(base)) return spec;
  for (const ext of [".ts", ".tsx", ".mts"]) if (isFile(base + ext)) return `${spec}${ext === ".mts" ? ".mjs" : ".js"}`;
  if (/\.tsx?$/.test(spec) && isFile(base)) return spec.replace(/\.tsx?$/, ".js");
  for (const ext of [".ts", ".tsx"]) if (isFile(join(base, `index${ext}`))) return `${spec}/index.js`;
  return undefined;
}

function fail(list) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
  console.error(ts.formatDiagnosticsWithColorAndContext(list, host));
  process.exit(1);
}
