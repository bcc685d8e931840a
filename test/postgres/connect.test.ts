// connectPg against the real test cluster: session settings, replication connections, and PG_CONNECT
// errors that name host, port and database but never the password.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeError, Pg2ConvexError } from "../../src/errors";
import { connectPg } from "../../src/postgres";
import { closedPort } from "../support/closed-port";
import { createTestDatabase, type TestDatabase } from "../support/pg";

const SECRET = "hunter2-Secret";

async function connectError(url: string): Promise<Pg2ConvexError> {
  try {
    const c = await connectPg(url, { connectTimeoutMs: 5_000 });
    await c.end();
  } catch (e) {
    expect(e).toBeInstanceOf(Pg2ConvexError);
    const err = e as Pg2ConvexError;
    expect(err.code).toBe("PG_CONNECT");
    for (const text of [err.message, err.fix ?? "", describeError(err), JSON.stringify(err.toJSON())]) expect(text).not.toContain(SECRET);
    return err;
  }
  throw new Error("expected PG_CONNECT");
}

describe("connectPg", () => {
  let db: TestDatabase;
  const port = () => new URL(db.url).port;
  beforeAll(async () => {
    db = await createTestDatabase("sqlconn");
  });
  afterAll(() => db.drop());

  it("opens sessions with UTC, ISO dates, hex bytea, exact floats and application_name", async () => {
    const c = await connectPg(db.url);
    try {
      const { rows } = await c.query(
        `SELECT current_setting('TimeZone') tz, current_setting('DateStyle') ds, current_setting('bytea_output') bo,
                current_setting('extra_float_digits') efd, current_setting('application_name') app,
                '2024-03-01 12:00:00+02'::timestamptz::text ts, '\\x01ff'::bytea::text b, 0.1::float8::text f`,
      );
      expect(rows[0]).toEqual({ tz: "UTC", ds: "ISO, MDY", bo: "hex", efd: "3", app: "pg2convex", ts: "2024-03-01 10:00:00+00", b: "\\x01ff", f: "0.1" });
    } finally {
      await c.end();
    }
  });

  it("opens replication connections with the same settings", async () => {
    const c = await connectPg(db.url, { replication: "database", applicationName: "pg2convex-test" });
    try {
      const ident = await c.query("IDENTIFY_SYSTEM");
      expect(ident.rows[0].dbname).toBe(db.name);
      expect((await c.query("SHOW TimeZone")).rows[0].TimeZone).toBe("UTC");
      expect((await c.query("SHOW application_name")).rows[0].application_name).toBe("pg2convex-test");
    } finally {
      await c.end();
    }
  });

  it("survives the server ending the session: no uncaught 'error', one retryable PG_CONNECTION_LOST", async () => {
    // Without an 'error' listener pg's client re-throws the termination as an uncaught exception (the run fails).
    const lost: Pg2ConvexError[] = [];
    const c = await connectPg(db.url, { applicationName: "pg2convex-lost", onLost: (e) => lost.push(e) });
    const pid = (await c.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    await db.client.query("SELECT pg_terminate_backend($1)", [pid]);
    const end = Date.now() + 30_000;
    while (lost.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ code: "PG_CONNECTION_LOST", retryable: true, context: { sqlState: "57P01" } });
    expect(lost[0]!.message).toMatch(/terminating connection due to administrator command/);
    expect(lost[0]!.fix).toMatch(/start pg2convex again/);
    await expect(c.query("SELECT 1")).rejects.toThrow(/not queryable/);
    await c.end();
  });

  it("turns an unreachable server into a retryable PG_CONNECT naming host, port and database", async () => {
    const closed = await closedPort();
    const err = await connectError(`postgres://mirror:${SECRET}@127.0.0.1:${closed}/appdb`);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${closed}, database "appdb", user "mirror"`);
    expect(err.fix).toMatch(/running and accepts connections on 127\.0\.0\.1:\d+/);
  });

  it("turns a missing database or role into a non-retryable PG_CONNECT with the fix", async () => {
    const noDb = await connectError(`postgres://postgres:${SECRET}@127.0.0.1:${port()}/no_such_db`);
    expect(noDb.retryable).toBe(false);
    expect(noDb.context).toMatchObject({ database: "no_such_db", sqlState: "3D000" });
    expect(noDb.fix).toBe('create database "no_such_db" or fix the database name in the connection string');

    const noRole = await connectError(`postgres://no_such_role:${SECRET}@127.0.0.1:${port()}/${db.name}`);
    expect(noRole.retryable).toBe(false);
    expect(noRole.message).toMatch(/role "no_such_role" does not exist/);
    expect(noRole.fix).toMatch(/pg_hba\.conf/);
  });

  it("does not echo an unparseable connection string", async () => {
    const err = await connectError(`postgres://mirror:${SECRET}@[::1/db`);
    expect(err.message).toMatch(/could not be parsed/);
  });
});
