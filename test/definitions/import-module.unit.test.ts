// Definitions modules load whatever the package's module type (issue 12, item 11): a .ts module in a package
// without "type": "module" used to fail with "Cannot require() ES Module … in a cycle".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTableSet } from "../../src/definitions/select";

const dirs: string[] = [];
function pkg(type: "module" | undefined, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pg2convex-mod-"));
  dirs.push(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true, ...(type ? { type } : {}) }));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// A table literal (the TableDef contract), imported from a sibling module as definitions modules do.
const TABLE = `export const film = { schema: "public", name: "film", convexName: "film", primaryKey: ["id"], columns: [{ name: "id", type: "int4", nullable: false }], references: [], derived: [], excluded: [] };\n`;
const TS_INDEX = `import { film } from "./film";\nexport const tables = [film];\n`;

describe("loadTableSet", () => {
  for (const type of [undefined, "module"] as const) {
    it(`loads a .ts module importing another .ts module in a package with type ${type ?? "(none: CommonJS)"}`, async () => {
      const dir = pkg(type, { "tables/index.ts": TS_INDEX, "tables/film.ts": TABLE });
      expect((await loadTableSet(join(dir, "tables/index.ts"))).map((t) => t.name)).toEqual(["film"]);
    });
  }

  it("loads .mts, .mjs and CommonJS .js modules", async () => {
    const dir = pkg(undefined, {
      "a.mts": `${TABLE}export const tables = [film];\n`,
      "b.mjs": `${TABLE}export default [film];\n`,
      "c.js": `${TABLE.replace("export const film =", "const film =")}module.exports = { tables: [film] };\n`,
    });
    for (const f of ["a.mts", "b.mjs", "c.js"]) expect((await loadTableSet(join(dir, f))).map((t) => t.name)).toEqual(["film"]);
  });

  it("refuses a module that exports no tables, naming it", async () => {
    const dir = pkg("module", { "x.ts": "export const nothing = 1;\n" });
    await expect(loadTableSet(join(dir, "x.ts"))).rejects.toThrow(/exports no table definitions/);
  });
});
