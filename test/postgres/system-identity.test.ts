// The PostgreSQL identity a mirror records: pg_control_system() where the role may call it, IDENTIFY_SYSTEM
// over a replication connection where EXECUTE on it was revoked (the role has REPLICATION anyway).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import pg from "pg";
import { readSystemIdentity } from "../../src/postgres";
import { createTestDatabase, type TestDatabase } from "../support/pg";

const role = `pg2c_ident_${process.pid}_${Date.now().toString(36)}`;

describe("readSystemIdentity", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("sqlident");
    await db.client.query(`CREATE ROLE ${role} LOGIN REPLICATION`);
  });
  afterAll(async () => {
    await db.drop();
    const admin = new pg.Client(inject("pgAdminUrl"));
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it("reads the system identifier and the database, also when pg_control_system() is not granted", async () => {
    const expected = (await db.client.query("SELECT system_identifier::text AS id FROM pg_control_system()")).rows[0].id as string;
    expect(expected).toMatch(/^\d{10,}$/);
    await expect(readSystemIdentity(db.client, db.url)).resolves.toEqual({ systemId: expected, database: db.name });

    // Function privileges are per database: this revoke only affects the test database.
    await db.client.query("REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
    const url = db.url.replace("//postgres@", `//${role}@`);
    const c = new pg.Client(url);
    await c.connect();
    try {
      await expect(c.query("SELECT system_identifier FROM pg_control_system()")).rejects.toMatchObject({ code: "42501" });
      await expect(readSystemIdentity(c, url)).resolves.toEqual({ systemId: expected, database: db.name });
    } finally {
      await c.end();
    }
  });
});
