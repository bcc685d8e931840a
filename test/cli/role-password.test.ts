// README step 1 → step 3 (issue 12, item 11): the role script `setup --role-sql` prints can set the password the
// connection string of the next step uses, without the plaintext on the command line or in the script.
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { referenceSchemaSql } from "../../src/reference/seed";

/** Whether a SCRAM-SHA-256 verifier (RFC 5802/7677, PostgreSQL's format) was made from this password. */
function verifierMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const salted = pbkdf2Sync(password, Buffer.from(m[2]!, "base64"), Number(m[1]), 32, "sha256");
  const storedKey = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest("base64");
  return storedKey === m[3];
}

let db: TestDatabase;
const role = `mirror_pw_${process.pid}`;
beforeAll(async () => {
  db = await createTestDatabase("rolepw");
  await db.client.query(referenceSchemaSql());
});
afterAll(async () => {
  await db.client.query(`DROP OWNED BY ${role}`).catch(() => undefined);
  await db.client.query(`DROP ROLE IF EXISTS ${role}`);
  await db.drop();
});

async function setup(args: string[], env: Record<string, string> = {}) {
  const p = spawnCli(["setup", "--database-url", db.url, "--role-sql", role, ...args], env);
  const { code } = await p.exited(60_000);
  return { code, out: p.stdout(), err: p.stderr() };
}

it("--role-password env sets $PG2CONVEX_ROLE_PASSWORD as a SCRAM verifier made from that password", async () => {
  const password = "correct-horse-battery-9";
  const r = await setup(["--role-password", "env"], { PG2CONVEX_ROLE_PASSWORD: password });
  expect(r.code).toBe(0);
  expect(r.out).not.toContain(password);
  expect(r.out).toMatch(/WITH PASSWORD 'SCRAM-SHA-256\$4096:/);
  await db.client.query(r.out); // the script runs as printed
  const { rows } = await db.client.query("SELECT rolpassword, rolcanlogin, rolreplication FROM pg_authid WHERE rolname = $1", [role]);
  expect(rows[0]).toMatchObject({ rolcanlogin: true, rolreplication: true });
  expect(verifierMatches(rows[0].rolpassword, password)).toBe(true);
  expect(verifierMatches(rows[0].rolpassword, "another-password")).toBe(false);
});

it("--role-password prompt prints psql's \\password; anything else is refused without echoing it", async () => {
  expect((await setup(["--role-password", "prompt"])).out).toContain(`\\password "${role}"`);
  const bad = await setup(["--role-password", "hunter2-plaintext"]);
  expect(bad.code).toBe(2);
  expect(bad.err).not.toContain("hunter2-plaintext");
  expect((await setup(["--role-password", "env"])).code).toBe(2);
});
