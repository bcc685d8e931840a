// `pg2convex inventory`: sites grouped by table, markdown and JSON, --tables filter.
import { describe, expect, it } from "vitest";
import { runInventory } from "../../src/cli/commands/inventory";
import { capture, tempProject } from "./helpers";

const repo = [
  "export class UserRepo {",
  "  async create(pool: any, id: string) {",
  '    await pool.query("INSERT INTO users (id) SELECT id FROM accounts WHERE id = $1", [id]);',
  "  }",
  "  remove = async (pool: any, id: string) => {",
  '    await pool.query("DELETE FROM sessions WHERE user_id = $1", [id]);',
  "  };",
  "}",
  "export const count = (pool: any, t: string) => pool.query(`SELECT count(*) FROM ${t}`);",
  "",
].join("\n");
const migration = "CREATE TABLE orders (id int, user_id int REFERENCES users);\n\nUPDATE orders SET id = 1;\n";

async function inventory(argv: string[]) {
  const root = tempProject({ "src/repo.ts": repo, "db/001.sql": migration });
  const c = capture(root);
  const code = await runInventory(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe("pg2convex inventory", () => {
  it("JSON lists every site with kinds, reads and writes, and groups them by table", async () => {
    const r = await inventory(["src", "db", "--format", "json"]);
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.out);
    expect(inv).toMatchObject({ version: 1, tool: "pg2convex-inventory" });
    const create = inv.sites.find((s: { line: number; file: string }) => s.file === "src/repo.ts" && s.line === 3);
    expect(create).toMatchObject({ scope: "UserRepo.create", kinds: ["INSERT"], writes: ["public.users"], reads: ["public.accounts"] });
    const users = inv.tables.find((t: { table: string }) => t.table === "public.users");
    expect(users.writes).toEqual([{ file: "src/repo.ts", line: 3, scope: "UserRepo.create", kind: "INSERT" }]);
    expect(users.ddl).toEqual([{ file: "db/001.sql", line: 1, scope: "", kind: "CREATE TABLE" }]);
    const orders = inv.tables.find((t: { table: string }) => t.table === "public.orders");
    expect(orders.writes).toEqual([{ file: "db/001.sql", line: 3, scope: "", kind: "UPDATE" }]);
    const dynamic = inv.sites.find((s: { line: number }) => s.line === 9);
    expect(dynamic.unresolved).toEqual(["table name from ${t}"]);
  });

  it("--tables keeps only those tables and the sites touching them (plus unresolved sites)", async () => {
    const inv = JSON.parse((await inventory(["src", "db", "--format", "json", "--tables", "sessions"])).out);
    expect(inv.tables.map((t: { table: string }) => t.table)).toEqual(["public.sessions"]);
    expect(inv.sites.map((s: { line: number; scope: string }) => [s.line, s.scope])).toEqual([
      [6, "UserRepo.remove"],
      [9, "count"],
    ]);
  });

  it("markdown has a table overview, a section per table and the unresolved sites", async () => {
    const r = await inventory(["src", "db"]);
    expect(r.out).toContain("# SQL write-site inventory");
    expect(r.out).toContain("| `public.users` | 1 | 0 | 1 |");
    expect(r.out).toContain("## `public.sessions`");
    expect(r.out).toContain("| `src/repo.ts:6` | `UserRepo.remove` | DELETE |");
    expect(r.out).toContain("## SQL that could not be resolved");
  });

  it("exits 2 on an invalid --tables name", async () => {
    const r = await inventory(["--tables", "a.b.c"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("tables.0");
  });
});
