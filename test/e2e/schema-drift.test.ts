// Issue 12 §6 and §8 end to end: schema changes while streaming are never silent. Known columns keep applying,
// unknown values are kept in pg2c_drift, /healthz is degraded naming table and column, the metric counts it,
// `status` shows it; a DROP TABLE and a REPLICA IDENTITY change are found by the periodic catalog check; `status`
// and `parity` on a dropped table say so; a deployment built from other definitions is refused at start.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchemaAppEnv, type SchemaAppEnv } from "./schema-app";
import { waitUntil } from "../support/wait";
import { Pg2ConvexError } from "../../src/errors";
import { col, defineTable } from "../../src/definitions/define";
import { tables } from "../fixtures/schema-app/tables";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));
const TABLES_MODULE = fileURLToPath(new URL("../fixtures/schema-app/tables.ts", import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe("schema changes while streaming", () => {
  let env: SchemaAppEnv;
  let vars: Record<string, string>;
  beforeAll(async () => {
    env = await createSchemaAppEnv();
    vars = { DATABASE_URL: env.db.url, CONVEX_URL: env.convex.url, CONVEX_ADMIN_KEY: env.convex.adminKey, PG2CONVEX_SLOT: env.config.slot, PG2CONVEX_TABLES_MODULE: TABLES_MODULE };
    await env.db.client.query(`INSERT INTO store VALUES (1, 'north', NULL); INSERT INTO staff VALUES (10, 'ann', 1); INSERT INTO reading (id, at, v, mood) VALUES (1, '2024-03-01', 10, 'calm')`);
  });
  afterAll(async () => env?.close());

  it("refuses a deployment built from other definitions, naming the difference", async () => {
    const other = tables.map((t) =>
      t.name === "store" ? defineTable({ name: "store", primaryKey: ["id"], columns: { id: col.int4().notNull(), name: col.text(), manager_staff_id: col.int4() }, references: { manager_staff_id: { table: "staff", ordering: false } } }) : t,
    );
    const err = await env.start({ tables: other }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect((err as Pg2ConvexError).code).toBe("DEFINITIONS_MISMATCH");
    expect((err as Error).message).toMatch(/^the Convex deployment was built from other table definitions: store\.name differs: bridge \["text",false,true,null,null\], deployment \["text",false,false,null,null\]$/);
    expect((await env.reader.state(env.config.slot)).phase).toBe("new"); // nothing written
  });

  it("keeps known columns streaming and every unknown value, and says so everywhere", async () => {
    await env.start({ config: { catalogCheckIntervalMs: 300 } });
    expect(await env.healthz()).toMatchObject({ status: "ok" });
    const db = env.db.client;
    // A column added, then written; a column dropped; a new enum label; a type changed.
    await db.query(`ALTER TABLE staff ADD COLUMN phone text`);
    await db.query(`INSERT INTO staff VALUES (11, 'bob', 1, '555-1')`);
    await db.query(`UPDATE staff SET name = 'ann 2', phone = '555-0' WHERE id = 10`);
    await db.query(`ALTER TABLE reading DROP COLUMN note`);
    await db.query(`INSERT INTO reading (id, at, v) VALUES (2, '2024-04-01', 20)`);
    await db.query(`ALTER TYPE mood ADD VALUE 'angry'`);
    await db.query(`INSERT INTO reading (id, at, v, mood) VALUES (3, '2024-05-01', 30, 'angry')`);
    await db.query(`ALTER TABLE reading ALTER COLUMN v TYPE text USING v::text`);
    await db.query(`INSERT INTO reading (id, at, v, mood) VALUES (4, '2024-06-01', 'forty', 'calm')`);
    await db.query(`UPDATE store SET name = 'north 2' WHERE id = 1`);

    // Nothing lost for the known columns: every row and every known value arrived (the stream never stopped).
    await waitUntil("the known columns", async () => ((await env.docs("store"))[0]?.name === "north 2" ? true : undefined), 30_000);
    const staff = new Map((await env.docs("staff")).map((d) => [d.id, d]));
    expect(staff.get(10)).toMatchObject({ name: "ann 2", store_id: 1 });
    expect(staff.get(11)).toMatchObject({ name: "bob", store_id: 1 });
    expect("phone" in staff.get(11)!).toBe(false);
    const readings = new Map((await env.docs("reading")).map((d) => [d.id, d]));
    expect(readings.get(2)).toMatchObject({ v: 20, note: null });
    expect(readings.get(3)).toMatchObject({ v: 30, mood: null });
    expect(readings.get(4)).toMatchObject({ mood: "calm", v: null });

    // The unknown values are kept, by table, column and key, with the raw value and LSN.
    const kept = (rows: Array<Record<string, unknown>>) =>
      rows
        .filter((r) => r.keyString !== "")
        .map((r) => `${r.column} ${r.kind} ${JSON.stringify(r.key)} ${r.raw ?? ""}`)
        .sort();
    expect(kept(await env.drift("staff"))).toEqual(['phone column_added [10] "555-0"', 'phone column_added [11] "555-1"']);
    const readingDrift = kept(await env.drift("reading"));
    expect(readingDrift).toContain('mood value_undecodable [3,"2024-05-01"] "angry"');
    expect(readingDrift).toContain('v value_undecodable [4,"2024-06-01"] "forty"');
    expect(readingDrift).toContain('v type_changed [4,"2024-06-01"] "forty"');
    expect(readingDrift.some((r) => r.startsWith("note column_dropped [2,"))).toBe(true);
    for (const r of await env.drift("staff")) expect(typeof r.lsn === "bigint" || r.keyString === "").toBe(true);

    // /healthz degraded naming table and column, the metric counting, with the fix.
    const h = await waitUntil("degraded health", async () => {
      const body = await env.healthz();
      return body.schemaDrift?.includes("staff.phone") && body.schemaDrift.includes("reading.mood") ? body : undefined;
    });
    expect(h.status).toBe("degraded");
    expect(h.schemaDrift).toEqual(expect.arrayContaining(["staff.phone", "reading.note", "reading.mood", "reading.v"]));
    expect(h.degraded?.join(" ")).toMatch(/pg2convex init --check.*resync --table/);
    const metrics = await (await fetch(`${env.health.url}/metrics`)).text();
    expect(metrics).toMatch(/pg2convex_schema_drift_total\{table="staff",column="phone"\} [1-9]/);

    // status shows it.
    const status = await cli(["status", "--json"], vars);
    expect(status.code, status.out).toBe(0);
    const drifted = (JSON.parse(status.out).drift.tables as Array<{ table: string; column: string; kinds: string[]; rows: number }>).map((t) => `${t.table}.${t.column}`);
    expect(drifted).toEqual(expect.arrayContaining(["staff.phone", "reading.mood", "reading.v", "reading.note"]));
    const text = await cli(["status"], vars);
    expect(text.out).toMatch(/DRIFTED staff\.phone \[[^\]]*column_added[^\]]*\] 2 row\(s\) kept/);

    // The fix the messages name: the schema brought back in line (here: the column dropped again), then a
    // re-sync of the table. Its marks clear, in Convex and in /healthz; the other tables' stay.
    await db.query(`ALTER TABLE staff DROP COLUMN phone`);
    const resync = await cli(["resync", "--table", "staff", "--wait"], vars);
    expect(resync.code, resync.out).toBe(0);
    await waitUntil("staff's drift marks cleared", async () => ((await env.drift("staff")).length === 0 ? true : undefined), 60_000);
    const after = await waitUntil("/healthz without staff", async () => {
      const body = await env.healthz();
      return !body.schemaDrift?.includes("staff.phone") ? body : undefined;
    });
    expect(after.schemaDrift).toEqual(expect.arrayContaining(["reading.mood"]));
  });

  it("finds a REPLICA IDENTITY change and a DROP TABLE with the periodic check; status and parity say so", async () => {
    await env.db.client.query(`ALTER TABLE store REPLICA IDENTITY NOTHING`);
    await env.db.client.query(`DROP TABLE staff CASCADE`);
    const h = await waitUntil("the catalog findings", async () => {
      const body = await env.healthz();
      return body.schemaDrift?.includes("store") && body.schemaDrift.includes("staff") ? body : undefined;
    });
    expect(h.status).toBe("degraded");
    // Health is marked when a finding is noted; its record in Convex follows.
    const tableLevel = await waitUntil("the dropped table recorded", async () => {
      const rows = (await env.drift("staff")).filter((r) => r.keyString === "" && r.column === "");
      return rows.length > 0 ? rows : undefined;
    });
    expect(tableLevel.map((r) => r.detail)).toEqual([expect.stringMatching(/^table public\.staff does not exist/)]);
    const identity = await waitUntil("the replica identity finding recorded", async () => (await env.drift("store")).find((r) => r.keyString === "" && r.column === ""));
    expect(identity.detail).toMatch(/REPLICA IDENTITY NOTHING: wal2json silently drops its updates and deletes/);

    const status = await cli(["status"], vars);
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(/staff\s+MISSING\s+2\s+NO: public\.staff does not exist in PostgreSQL/);
    const parity = await cli(["parity"], vars);
    expect(parity.code).not.toBe(0);
    expect(parity.out).toMatch(/mirrored table public\.staff no longer exists in PostgreSQL/);
    expect(parity.out).not.toMatch(/relation .* does not exist/);
  });
});
