// The CLI (tsx hooks registered globally, as users run it) loads a .ts definitions module of a package without
// "type": "module". Before issue 12 this printed "Cannot require() ES Module … in a cycle" and exited 2.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process";

const dir = mkdtempSync(join(tmpdir(), "pg2convex-cjs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("setup --role-sql reads a .ts definitions module of a CommonJS package", async () => {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true }));
  mkdirSync(join(dir, "tables"));
  writeFileSync(join(dir, "tables/index.ts"), 'import { film } from "./film";\nexport const tables = [film];\n');
  writeFileSync(join(dir, "tables/film.ts"), 'export const film = { schema: "public", name: "film", convexName: "film", primaryKey: ["id"], columns: [{ name: "id", type: "int4", nullable: false }], references: [], derived: [], excluded: [] };\n');
  const p = spawnCli(["setup", "--tables-module", join(dir, "tables/index.ts"), "--role-sql", "app_mirror", "--database-url", "postgres://nobody@127.0.0.1:1/appdb"], {});
  const { code } = await p.exited(60_000);
  expect(p.stderr()).toBe("");
  expect(code).toBe(0);
  expect(p.stdout()).toContain('GRANT SELECT ON TABLE "public"."film" TO "app_mirror";');
});
