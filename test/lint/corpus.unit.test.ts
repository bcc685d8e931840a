// The guardrail corpus: true positives and false positives, one row each. `expect` lists every
// finding as `rule table` (table for no-legacy-tables only), so an extra or missing finding fails.
import { beforeAll, describe, expect, it } from "vitest";
import { loadPgParser } from "../../src/lint/pg-parser";
import { lint, summary, type EngineOverrides } from "./helpers";

interface Case {
  name: string;
  code: string;
  file?: string;
  opts?: EngineOverrides;
  expect: string[];
  /** `line:column` of the first finding. */
  at?: string;
}

const L = "no-legacy-tables";
const users = `${L} public.users`;
const accounts = `${L} public.accounts`;
const sessions = `${L} public.sessions`;
const token = `${L} public.verification_token`;

const q = (sql: string) => `await pool.query(${JSON.stringify(sql)});`;
const tag = (sql: string) => `const r = sql\`${sql}\`;`;

const cases: Case[] = [
  // Finding SQL in TS/JS: tags and call targets.
  { name: "sql tagged template reading users", code: tag("SELECT id FROM users WHERE id = ${id}"), expect: [users], at: "1:30" },
  { name: "Prisma.sql tag inserting into accounts", code: "const s = Prisma.sql`INSERT INTO accounts (id) VALUES (${id})`;", expect: [accounts] },
  { name: "prisma.$queryRaw tag", code: "await prisma.$queryRaw`SELECT * FROM sessions`;", expect: [sessions] },
  { name: "prisma.$executeRaw tag updating", code: "await prisma.$executeRaw`UPDATE users SET name = ${n}`;", expect: [users] },
  { name: "pool.query string", code: q("DELETE FROM sessions WHERE expires < now()"), expect: [sessions], at: "1:31" },
  { name: "sql.unsafe call", code: 'await sql.unsafe("TRUNCATE verification_token");', expect: [token] },
  { name: ".execute with a plain template", code: "await conn.execute(`SELECT * FROM accounts`);", expect: [accounts] },
  { name: "$queryRawUnsafe call", code: 'await prisma.$queryRawUnsafe("SELECT * FROM users WHERE id = $1", id);', expect: [users] },
  { name: "node-postgres query config object", code: 'await client.query({ text: "SELECT * FROM users WHERE id = $1", values: [id] });', expect: [users] },
  { name: "JavaScript file", file: "src/legacy.js", code: 'module.exports = (db) => db.query("SELECT * FROM accounts");', expect: [accounts] },
  { name: "knex.raw is a query call by default; ? is a bound value", code: 'await knex.raw("DELETE FROM sessions WHERE id = ?", [id]);', expect: [sessions], at: "1:29" },
  { name: "knex ?? binding names a table chosen at runtime", code: 'await knex.raw("SELECT * FROM ?? WHERE id = ?", [table, id]);', expect: ["dynamic-sql"] },
  { name: "knex named bindings, casts and an escaped ? operator", code: "await knex.raw(\"SELECT * FROM accounts WHERE id = :id AND n::int > 0 AND data \\\\? 'k'\", { id });", expect: [accounts] },
  { name: "knex.raw fragments inside a builder", code: 'await knex.select(knex.raw("count(*) AS n")).from("orders").where(knex.raw("lower(name) = ?", [n])).orderBy(knex.raw("created_at DESC"));', expect: [] },
  { name: "knex.raw that does not parse", code: 'await knex.raw("SELEC * FRM users WHER id = ?", [1]);', expect: ["unparseable-sql"] },
  { name: "--call adds to the default calls", opts: { calls: ["runSql"] }, code: 'runSql("SELECT * FROM sessions"); await pool.query("SELECT * FROM users");', expect: [sessions, users] },
  { name: "custom tag and call targets", opts: { tags: ["db.sql"], calls: ["runSql"] }, code: 'db.sql`SELECT * FROM users`; runSql("SELECT * FROM sessions"); sql`SELECT * FROM accounts`;', expect: [sessions, users] },
  { name: "string not passed to a configured tag or call", code: 'const text = "SELECT * FROM users"; log(text);', expect: [] },
  { name: "TS comment containing SQL", code: "// DELETE FROM users WHERE true\n/* SELECT * FROM sessions */\nexport const x = 1;", expect: [] },
  {
    name: "bare words, Convex names and empty text passed to a query call are not SQL",
    code: 'await pool.query(""); await pool.query(" -- nothing "); await task.execute("users"); await ctx.db.query("users").collect(); const q = ctx.db.query("tasks"); await client.query("messages:list", {});',
    expect: [],
  },
  // Fail closed: a configured call takes SQL, so other text there that does not parse is reported.
  { name: "other text passed to a query call that does not parse is reported", code: 'await runner.query("build all");', expect: ["unparseable-sql"] },
  { name: "Convex query builder and function references are not SQL", code: "await ctx.db.query(table).withIndex('by_id').collect();\nawait client.query(api.users.get, { id });\nawait t.query(makeFunctionReference('x:y'));", expect: [] },

  // Relation references in every position.
  { name: "JOIN", code: tag("SELECT * FROM orders o JOIN sessions s ON s.id = o.sid"), expect: [sessions] },
  { name: "subquery in WHERE", code: tag("SELECT * FROM orders WHERE user_id IN (SELECT id FROM users)"), expect: [users] },
  { name: "subquery in FROM and LATERAL", code: tag("SELECT * FROM (SELECT * FROM accounts) a, LATERAL (SELECT 1 FROM sessions s WHERE s.a = a.id) x"), expect: [accounts, sessions] },
  { name: "INSERT … SELECT reads the source", code: tag("INSERT INTO orders (uid) SELECT id FROM users"), expect: [users] },
  { name: "UPDATE … FROM", code: tag("UPDATE orders SET n = u.name FROM users u WHERE u.id = orders.uid"), expect: [users] },
  { name: "DELETE … USING", code: tag("DELETE FROM orders USING sessions WHERE sessions.id = orders.sid"), expect: [sessions] },
  { name: "MERGE target and source", code: tag("MERGE INTO accounts a USING users u ON a.uid = u.id WHEN MATCHED THEN DELETE"), expect: [accounts, users] },
  { name: "COPY in both directions", code: q("COPY users FROM STDIN") + q("COPY (SELECT * FROM accounts) TO STDOUT"), expect: [accounts, users] },
  { name: "TRUNCATE list", code: tag("TRUNCATE orders, sessions RESTART IDENTITY"), expect: [sessions] },
  { name: "ALTER TABLE … REFERENCES", code: tag("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (uid) REFERENCES users (id)"), expect: [users] },
  { name: "DROP TABLE", code: tag("DROP TABLE IF EXISTS verification_token"), expect: [token] },
  { name: "CREATE TABLE … REFERENCES and LIKE", code: tag("CREATE TABLE audit (uid int REFERENCES users, LIKE accounts)"), expect: [accounts, users] },
  { name: "CREATE VIEW reads", code: tag("CREATE VIEW v AS SELECT * FROM sessions"), expect: [sessions] },
  { name: "GRANT on a legacy table", code: tag("GRANT SELECT ON accounts TO reporting"), expect: [accounts] },

  // CTEs.
  { name: "CTE shadowing a table name is not the table", code: tag("WITH users AS (SELECT 1 AS id) SELECT * FROM users"), expect: [] },
  { name: "DML target named like a CTE is the real table", code: tag("WITH users AS (SELECT 1 AS id) DELETE FROM users"), expect: [users] },
  { name: "CTE body reading the real table", code: tag("WITH u AS (SELECT * FROM users) SELECT * FROM u"), expect: [users] },
  { name: "non-recursive CTE cannot see itself", code: tag("WITH users AS (SELECT * FROM users WHERE active) SELECT * FROM users"), expect: [users] },
  { name: "recursive CTE references itself", code: tag("WITH RECURSIVE users AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM users WHERE n < 5) SELECT * FROM users"), expect: [] },
  { name: "CTE scope does not leak out of a subquery", code: tag("SELECT * FROM (WITH users AS (SELECT 1) SELECT * FROM users) s JOIN users ON true"), expect: [users] },
  { name: "data-modifying CTE", code: tag("WITH gone AS (DELETE FROM sessions RETURNING id) SELECT count(*) FROM gone"), expect: [sessions] },

  // Names: case rules, schemas, search path, things that are not tables.
  { name: '"Users" is not users', code: tag('SELECT * FROM "Users"'), expect: [] },
  { name: "unquoted USERS folds to users", code: tag("SELECT * FROM USERS"), expect: [users] },
  { name: 'deny-list entry "Users" matches only the quoted name', opts: { deny: ['"Users"'] }, code: tag('SELECT * FROM "Users"') + tag("SELECT * FROM users"), expect: [`${L} public."Users"`] },
  { name: "public.users is denied", code: tag("SELECT * FROM public.users"), expect: [users] },
  { name: "auth.users is not on the default search path", code: tag("SELECT * FROM auth.users"), expect: [] },
  { name: "search path auth,public: unqualified users is auth.users", opts: { searchPath: ["auth", "public"], deny: ["public.users"] }, code: tag("SELECT * FROM users") + tag("SELECT * FROM public.users"), expect: [users] },
  { name: "search path auth,public: unqualified deny entry covers auth.users", opts: { searchPath: ["auth", "public"] }, code: tag("SELECT * FROM auth.users"), expect: [`${L} auth.users`] },
  { name: "column, alias and string literal named users", code: tag("SELECT users, o.users AS users, 'users' FROM orders AS users WHERE to_regclass('users') IS NOT NULL"), expect: [] },
  { name: "SQL comments naming users", code: tag("SELECT 1 -- FROM users\n/* DELETE FROM sessions */"), expect: [] },

  // Multi-statement strings and dynamic SQL.
  { name: "multi-statement string", code: q("SELECT 1; DELETE FROM sessions; SELECT * FROM users"), expect: [sessions, users] },
  { name: "query(someVariable) is dynamic", code: "await pool.query(someVariable);", expect: ["dynamic-sql"], at: "1:7" },
  { name: "a template that is nothing but a runtime hole is dynamic", code: "await pool.query(`${text}`); await db.query(`  ${a}${b} `);", expect: ["dynamic-sql", "dynamic-sql"] },
  { name: "table name from a template hole is dynamic", code: "await pool.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);", expect: ["dynamic-sql"] },
  { name: "schema from a hole: a denied table name is still reported", code: "await pool.query(`SELECT * FROM ${schema}.users`); await pool.query(`SELECT * FROM ${schema}.orders`);", expect: ["dynamic-sql", `${L} ?.users`] },
  { name: "value holes are parameters, not dynamic SQL", code: tag("SELECT * FROM orders WHERE id = ${id} AND note LIKE ${'%' + q + '%'}"), expect: [] },
  { name: "const table name resolves", code: 'const TABLE = "users";\nawait pool.query(`SELECT * FROM ${TABLE}`);', expect: [users], at: "2:35" },
  { name: "let table name does not resolve", code: 'let TABLE = "users";\nawait pool.query(`SELECT * FROM ${TABLE}`);', expect: ["dynamic-sql"] },
  { name: "nested sql fragment is inlined", code: "const where = sql`id IN (SELECT uid FROM sessions)`;\nconst r = sql`SELECT * FROM orders WHERE ${where}`;", expect: [sessions] },
  { name: "string concatenation", code: 'await pool.query("SELECT * FROM " + "accounts"); await pool.query("SELECT * FROM " + table);', expect: ["dynamic-sql", accounts] },
  { name: "dynamic column list still shows the denied table", code: "await pool.query(`INSERT INTO users (${cols}) VALUES ${rows}`);", expect: ["dynamic-sql", users] },
  { name: "SQL fragment tags parse in context", code: "const a = sql`id = ${id}`; const b = sql`ORDER BY created_at DESC`; const c = sql`, `;", expect: [] },

  // Unparseable SQL-looking text.
  { name: "SQL that does not parse is reported", code: q("SELEC * FROM orders"), expect: ["unparseable-sql"] },
  { name: "unterminated quote is reported", code: q("SELECT * FROM orders WHERE name = 'x"), expect: ["unparseable-sql"] },
  { name: "misspelt SQL at a query call is reported, whatever it starts with", code: q("SELEC * FRM users WHER id = 1"), expect: ["unparseable-sql"], at: "1:19" },
  { name: "syntax newer than the parser is reported", code: 'await client.query("REPACK orders");', expect: ["unparseable-sql"] },
  { name: "an awaited sql tag must be a whole statement", code: "await sql`SELEC * FRM users`;", expect: ["unparseable-sql"] },
  {
    name: "fragment tags that parse only in context are not reported",
    code: "const a = sql`DESC`; const b = sql``; const c = sql`= ANY(${ids})`; const d = sql`ON CONFLICT (id) DO NOTHING`; const e = sql`${a}, ${b}`; const f = sql`SET a = ${x}, b = ${y} WHERE id = ${id}`;",
    expect: [],
  },
  { name: "a fragment naming a table where a wrapper would take it for an alias is not swallowed", code: "const f = sql`users SET a = ${x}, b = ${y}`;", expect: ["dynamic-sql"] },

  // .sql files and routines.
  { name: ".sql file statements", file: "db/migrate.sql", code: "CREATE INDEX ON sessions (expires);\n-- users is mentioned only here\nSELECT 1;", expect: [sessions], at: "1:17" },
  { name: ".sql file with a byte-order mark", file: "db/bom.sql", code: "\uFEFFDELETE FROM users;", expect: [users], at: "1:14" },
  { name: ".sql file that does not parse", file: "db/bad.sql", code: "SELECT * FROM orders\nWHERE;", expect: ["unparseable-sql"], at: "2:6" },
  { name: ".sql file: an unparseable statement hides no other", file: "db/003.sql", code: "SELECT * FROM story;\nSELECT * FROM users WHERE;\nDELETE FROM users;\n", expect: ["unparseable-sql", users], at: "2:26" },
  {
    name: ".sql file: a psql \\i line hides no REFERENCES, PL/pgSQL DELETE or EXECUTE",
    file: "db/004.sql",
    code: "CREATE TABLE audit (uid int REFERENCES users);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM accounts WHERE id = OLD.id;\n  RETURN OLD;\nEND $$;\nDO $$ BEGIN EXECUTE 'TRUNCATE sessions'; END $$;\n\\i other.sql\n",
    expect: [users, accounts, sessions],
  },
  {
    name: ".sql file: ; inside quotes, dollar quotes, E'' strings and nested comments ends no statement",
    file: "db/007.sql",
    code: "SELECT ';' AS a, $x$ ; DELETE FROM users; $x$ AS b;\nINSERT INTO \"we;ird\" VALUES (E'\\';', 'it''s;');\n/* a /* b; */ c; */ DELETE FROM sessions;",
    expect: [sessions],
    at: "3:33",
  },
  {
    name: ".sql file: a BEGIN ATOMIC body is one statement",
    file: "db/008.sql",
    code: "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  DELETE FROM users;\nEND;\nSELECT * FROM sessions;",
    expect: [users, sessions],
  },
  { name: ".sql file: COPY FROM stdin data is not SQL", file: "db/006.sql", code: "COPY orders (id, note) FROM stdin;\n1\tSELECT junk; DELETE\n2\t'\n\\.\nDELETE FROM sessions;\n", expect: [sessions], at: "5:13" },
  {
    name: ".sql file: psql \\copy is checked as COPY, \\gexec is dynamic, other meta-commands are skipped",
    file: "db/005.sql",
    code: "\\set ON_ERROR_STOP on\n\\copy users to 'x.csv' csv\n\\copy (SELECT * FROM accounts) TO /tmp/a.csv\n\\copy sessions from pstdin\nSELECT format('TRUNCATE %I', t) FROM x \\gexec\n",
    expect: [users, accounts, sessions, "dynamic-sql"],
  },
  { name: ".sql file: a meta-command inside a statement", file: "db/011.sql", code: "SELECT *\n\\echo hi\nFROM accounts;", expect: [accounts], at: "3:6" },
  { name: ".sql file: an unterminated quote is reported after the statements before it", file: "db/010.sql", code: "DELETE FROM users;\nSELECT 'oops;\nDELETE FROM sessions;\n", expect: [users, "unparseable-sql"] },
  { name: ".sql file: a suppressed unparseable statement", file: "db/009.sql", code: "-- pg2convex-lint-disable-next-line unparseable-sql -- PostgreSQL 19 syntax\nREPACK orders;\nDELETE FROM users;", expect: [users] },
  {
    name: "PL/pgSQL function body",
    file: "db/fn.sql",
    code: "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO accounts VALUES (NEW.id);\n  EXECUTE format('DELETE FROM %I', TG_TABLE_NAME);\n  RETURN NEW;\nEND $$;",
    expect: ["dynamic-sql", accounts],
    at: "3:15",
  },
  { name: "LANGUAGE sql body and DO block", file: "db/fn2.sql", code: "CREATE FUNCTION g() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM sessions';\nDO $$ BEGIN EXECUTE 'TRUNCATE users'; END $$;", expect: [sessions, users] },

  // Suppressions.
  { name: "suppression with a reason", code: `// pg2convex-lint-disable-next-line no-legacy-tables -- removed in the auth cut-over\n${q("DELETE FROM sessions")}`, expect: [] },
  { name: "suppression above a multi-line statement", code: "// pg2convex-lint-disable-next-line no-legacy-tables -- read-only backfill\nawait pool.query(`\n  SELECT *\n  FROM users`);", expect: [] },
  { name: "suppression without a reason is itself a finding", code: `// pg2convex-lint-disable-next-line no-legacy-tables\n${q("DELETE FROM sessions")}`, expect: ["invalid-suppression", sessions] },
  { name: "suppression for another rule does not apply", code: `// pg2convex-lint-disable-next-line dynamic-sql -- not this one\n${q("DELETE FROM sessions")}`, expect: [sessions] },
  { name: "same-line suppression inside SQL", file: "db/x.sql", code: "SELECT * FROM users; -- pg2convex-lint-disable-line no-legacy-tables -- kept for the export job\nSELECT * FROM accounts;", expect: [accounts] },
];

describe("guardrail corpus", () => {
  beforeAll(() => loadPgParser());

  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$name", (c) => {
    const r = lint(c.code, c.file ?? "src/example.ts", c.opts);
    expect(summary(r)).toEqual([...c.expect].sort());
    if (c.at) expect(`${r.findings[0]!.line}:${r.findings[0]!.column}`).toBe(c.at);
  });
});
