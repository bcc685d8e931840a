// The published package works where users run it (issue 12, item 2). `npm pack` (which builds dist/ through
// `prepack`) makes the tarball; it is unpacked into a scratch app's node_modules/pg2convex as `npm install`
// would, and its bin linked into node_modules/.bin. Honest about one shortcut: the package's dependencies are
// not downloaded (no registry in tests) but linked from this checkout's node_modules, the versions the lockfile
// pins. Everything pg2convex ships is exercised from the tarball's own files: the scratch app has no access to
// this repo's src/, and the tarball is checked to hold no TypeScript sources.
// Proved: plain `node` imports defineTable/col (ESM and require()), the bin runs (`--help`, and `setup
// --role-sql` loading a .ts definitions module in a package without "type": "module"), the shipped .d.ts
// typecheck an app (Bundler and NodeNext resolution), and the app's convex/ folder importing
// "pg2convex/convex" goes through Convex's own esbuild step (convex/dist/cjs/bundler) for its runtime.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let work: string;
let app: string;

const run = (file: string, args: string[], cwd = app) => execFileSync(file, args, { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" } });
const write = (file: string, text: string) => {
  mkdirSync(dirname(join(app, file)), { recursive: true });
  writeFileSync(join(app, file), text);
};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "pg2convex-pack-"));
  const tarball = join(work, run("npm", ["pack", "--silent", "--pack-destination", work], ROOT).trim().split("\n").pop()!);
  app = join(work, "app");
  const installed = join(app, "node_modules", "pg2convex");
  mkdirSync(installed, { recursive: true });
  run("tar", ["xzf", tarball, "-C", installed, "--strip-components", "1"]);
  const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { dependencies: Record<string, string>; bin: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies)) {
    mkdirSync(dirname(join(app, "node_modules", dep)), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dep), join(app, "node_modules", dep));
  }
  mkdirSync(join(app, "node_modules", ".bin"));
  for (const [name, file] of Object.entries(pkg.bin)) symlinkSync(join("..", "pg2convex", file), join(app, "node_modules", ".bin", name));
  // A CommonJS app (no "type": "module"), as `npm init` makes one.
  write("package.json", JSON.stringify({ name: "app", private: true }));
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const TABLES = `import { col, defineTable, type TableSet } from "pg2convex";
export const film = defineTable({ name: "film", primaryKey: ["id"], columns: { id: col.int4().notNull(), length: col.pgText("interval") } });
export const tables: TableSet = [film];
`;

describe("the packed package, installed into a scratch app", () => {
  it("ships compiled JavaScript and declarations, no TypeScript sources", () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const shipped = files(join(app, "node_modules/pg2convex")).map((f) => relative(join(app, "node_modules/pg2convex"), f));
    expect(shipped).toContain("dist/src/index.js");
    expect(shipped).toContain("dist/src/index.d.ts");
    expect(shipped).toContain("dist/sql/role.sql");
    expect(shipped.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(existsSync(join(app, "node_modules/pg2convex/src"))).toBe(false);
  });

  it("plain node imports defineTable and col (ESM import and CommonJS require)", () => {
    write(
      "check.mjs",
      `import { defineTable, col } from "pg2convex";\nimport { mirrorTables } from "pg2convex/convex";\nconst t = defineTable({ name: "film", primaryKey: ["id"], columns: { id: col.int4().notNull() } });\nconsole.log(JSON.stringify({ t, tables: Object.keys(mirrorTables([t])).includes("film") }));\n`,
    );
    const out = JSON.parse(run(process.execPath, ["check.mjs"]));
    expect(out).toEqual({ t: expect.objectContaining({ name: "film", primaryKey: ["id"], columns: [{ name: "id", type: "int4", nullable: false }] }), tables: true });
    write("check.cjs", `const { col } = require("pg2convex");\nconsole.log(col.text().notNull().type);\n`);
    expect(run(process.execPath, ["check.cjs"]).trim()).toBe("text");
  });

  it("the bin runs from the installed package, and loads a .ts definitions module of a CommonJS package", () => {
    const bin = join(app, "node_modules/.bin/pg2convex");
    expect(run(bin, ["--help"])).toMatch(/usage: pg2convex <command>[\s\S]*init /);
    expect(run(bin, ["init", "--help"])).toContain("--exclude-tables");
    write("tables/index.ts", TABLES);
    const script = run(bin, ["setup", "--tables-module", "tables/index.ts", "--role-sql", "app_mirror", "--database-url", "postgres://nobody@127.0.0.1:1/appdb"]);
    expect(script).toContain('GRANT SELECT ON TABLE "public"."film" TO "app_mirror";');
  });

  it("the shipped declarations typecheck an app (Bundler and NodeNext resolution)", () => {
    write("tables/index.ts", TABLES);
    write("convex/schema.ts", `import { defineSchema } from "convex/server";\nimport { mirrorTables } from "pg2convex/convex";\nimport { tables } from "../tables";\nexport default defineSchema({ ...mirrorTables(tables) });\n`);
    write("convex/mirror.ts", `import { defineMirrorFunctions } from "pg2convex/convex";\nimport { tables } from "../tables";\nexport const { applyBatch, getState } = defineMirrorFunctions(tables);\n`);
    write(
      "typed.mts",
      `import { col, defineTable, type TableDef } from "pg2convex";\nconst t: TableDef = defineTable({ name: "x", primaryKey: ["id"], columns: { id: col.int8().notNull() } });\n// @ts-expect-error: not a column builder\ncol.nope();\nexport default t;\n`,
    );
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const common = ["--noEmit", "--strict", "--skipLibCheck", "--types", "node", "--typeRoots", join(ROOT, "node_modules/@types"), "--target", "ES2022"];
    run(process.execPath, [tsc, ...common, "--module", "ESNext", "--moduleResolution", "Bundler", "tables/index.ts", "convex/schema.ts", "convex/mirror.ts"]);
    run(process.execPath, [tsc, ...common, "--module", "NodeNext", "--moduleResolution", "NodeNext", "typed.mts"]);
  });

  it("Convex's own bundler step bundles the app's convex/ folder for its runtime, and the bundle holds the functions", async () => {
    write("tables/index.ts", TABLES);
    write("convex/schema.ts", `import { defineSchema } from "convex/server";\nimport { mirrorTables } from "pg2convex/convex";\nimport { tables } from "../tables";\nexport default defineSchema({ ...mirrorTables(tables) });\n`);
    write("convex/mirror.ts", `import { defineMirrorFunctions } from "pg2convex/convex";\nimport { tables } from "../tables";\nexport const { applyBatch, getState } = defineMirrorFunctions(tables);\n`);
    // The esbuild call `npx convex deploy` makes for the default (V8 isolate) runtime, with Convex's own esbuild:
    // the options of innerEsbuild in convex/dist/cjs/bundler/debugBundle.js (platform "browser": no Node built-ins).
    const esbuild = createRequire(join(ROOT, "node_modules/convex/package.json"))("esbuild") as typeof import("esbuild");
    const { outputFiles: outputs } = await esbuild.build({
      entryPoints: [join(app, "convex/schema.ts"), join(app, "convex/mirror.ts")],
      absWorkingDir: app,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "esnext",
      jsx: "automatic",
      outdir: "out",
      outbase: join(app, "convex"),
      conditions: ["convex", "module"],
      write: false,
      splitting: true,
      chunkNames: "_deps/[hash]",
      treeShaking: true,
      minifySyntax: true,
      minifyIdentifiers: true,
      keepNames: true,
      define: { "process.env.NODE_ENV": '"production"' },
      metafile: true,
      logLevel: "warning",
    });
    const out = join(work, "bundle");
    for (const f of outputs) {
      const target = join(out, relative(resolve(app, "out"), f.path));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.text);
    }
    const bundled = outputs.map((f) => f.text).join("\n");
    expect(bundled).not.toMatch(/from ["']pg2convex/); // really bundled, nothing left to resolve at run time
    const mirror = (await import(pathToFileURL(join(out, "mirror.js")).href)) as Record<string, { isInternal?: boolean; isMutation?: boolean }>;
    expect(mirror.applyBatch?.isInternal && mirror.applyBatch.isMutation).toBe(true);
    const schema = (await import(pathToFileURL(join(out, "schema.js")).href)) as { default: { tables: Record<string, unknown> } };
    expect(Object.keys(schema.default.tables)).toEqual(expect.arrayContaining(["film", "pg2c_checkpoint"]));
  });

  it("local-convex from the installed package serves the app's convex/ folder (--convex-dir)", async () => {
    write("convex/_generated/server.js", readFileSync(join(ROOT, "convex/_generated/server.js"), "utf8"));
    write("convex/_generated/api.js", readFileSync(join(ROOT, "convex/_generated/api.js"), "utf8"));
    // The stand-in loads the folder with Node: in a CommonJS app, convex/ is marked an ES-module scope (README).
    write("convex/package.json", JSON.stringify({ type: "module" }));
    const child = spawn(join(app, "node_modules/.bin/pg2convex"), ["local-convex", "--convex-dir", "convex", "--port", "0", "--admin-key", "local-admin-key"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exit = new Promise<number | null>((done) => child.once("exit", done));
    const started = Date.now();
    while (!/listening at http/.test(out) && child.exitCode === null && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGTERM");
    await exit;
    expect(out).toMatch(/Local Convex \(stand-in, in-memory\) listening at http:\/\/127\.0\.0\.1:\d+/);
  });
});
