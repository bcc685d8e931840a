// Foreign keys between different integer types, from PostgreSQL to Convex: c8.p_id bigint → p4.id integer and
// c4.p_id integer → p8.id bigint. Decoded, integer is a number and bigint a bigint; the mirror must still fill
// the reference ids, lookups and count/sum fields as PostgreSQL's foreign keys join the rows, through the
// backfill and the stream (insert, move, parent rename, delete). `init` declares both as references, and
// definitions with a pair that cannot be matched exactly are refused.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Value } from "convex/values";
import { configSchema } from "../../src/config/schema";
import { createMirrorReader, type MirrorReader } from "../../src/convex-client/mirror-reader";
import { buildGraph } from "../../src/definitions/graph";
import { planInit } from "../../src/init/plan";
import { planTables } from "../../src/init/to-defs";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { silentLogger } from "../../src/log";
import { startMirror, type MirrorHandle } from "../../src/pipeline/mirror";
import { introspectSchema } from "../../src/postgres/introspect";
import { refTypeTables } from "../fixtures/reftype-app/tables";
import { checkInvariants, type DocsByTable } from "../support/oracle/derived-check";
import { convexRows, diffRows, pgRows } from "../support/oracle/full-compare";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { waitUntil } from "../support/wait";

const APP = fileURLToPath(new URL("../fixtures/reftype-app/convex", import.meta.url));
let db: TestDatabase;
let convex: LocalConvexHandle;
let reader: MirrorReader;
let mirror: MirrorHandle;

beforeAll(async () => {
  db = await createTestDatabase("ref_types");
  await db.client.query(`
    CREATE TABLE p4 (id integer PRIMARY KEY, name text);
    CREATE TABLE c8 (id bigint PRIMARY KEY, p_id bigint REFERENCES p4(id), amount integer);
    CREATE TABLE p8 (id bigint PRIMARY KEY, name text);
    CREATE TABLE c4 (id integer PRIMARY KEY, p_id integer REFERENCES p8(id), amount bigint);
    INSERT INTO p4 VALUES (1, 'one'), (2, 'two');
    INSERT INTO c8 VALUES (100, 1, 3), (101, 1, 4), (102, 2, 5), (103, NULL, 6);
    INSERT INTO p8 VALUES (1, 'one'), (2, 'two'), (4294967297, 'wide');
    INSERT INTO c4 VALUES (100, 1, 3), (101, 1, 4), (102, 2, 5);`);
  convex = await withLocalConvex(APP);
  reader = createMirrorReader({ url: convex.url, adminKey: convex.adminKey });
  const config = configSchema.parse({ databaseUrl: db.url, convexUrl: convex.url, convexAdminKey: convex.adminKey, slot: `s_${db.name}`.slice(0, 63), metricsPort: 0, flushIntervalMs: 50, logLevel: "silent" });
  mirror = await startMirror({ config, tables: refTypeTables, logger: silentLogger });
});
afterAll(async () => {
  await mirror?.stop().catch(() => undefined);
  await convex?.close();
  await db?.drop();
});

const get = async (table: string, id: Value) => (await reader.getByKeys(table, [[id]]))[0] as Record<string, any> | null;
const parent = async (table: string, id: Value) => {
  const r = await get(table, id);
  return r && { kids: r.kids, sum: r.amount_sum };
};
const child = async (table: string, id: Value) => {
  const r = await get(table, id);
  return r && { linked: r.p_id_ref !== undefined, name: r.p_name, p_id: r.p_id };
};

/** Rows equal PostgreSQL's, and every derived field and reference id equals its definition over the Convex rows. */
async function diffs() {
  const docs: DocsByTable = new Map();
  const rows = [];
  for (const t of refTypeTables) {
    const [expected, actual] = await Promise.all([pgRows(db.client, t), convexRows(reader, t)]);
    docs.set(t.name, actual);
    rows.push(...diffRows(t, expected, actual));
  }
  return { rows, invariants: checkInvariants(buildGraph(refTypeTables), docs) };
}

it("backfills and streams references across int4 and int8 columns", async () => {
  await waitUntil("the backfill", async () => (await get("c4", 102)) !== null);
  expect(await parent("p4", 1)).toEqual({ kids: 2, sum: 7 });
  expect(await parent("p4", 2)).toEqual({ kids: 1, sum: 5 });
  expect(await child("c8", 100n)).toEqual({ linked: true, name: "one", p_id: 1n });
  expect(await child("c8", 103n)).toEqual({ linked: false, name: null, p_id: null });
  expect(await parent("p8", 1n)).toEqual({ kids: 2, sum: 7 });
  expect(await parent("p8", 4294967297n)).toEqual({ kids: 0, sum: 0 });
  expect(await child("c4", 102)).toEqual({ linked: true, name: "two", p_id: 2 });
  expect(await diffs()).toEqual({ rows: [], invariants: [] });

  const c = db.client;
  await c.query("UPDATE c8 SET p_id = 2 WHERE id = 101"); // move
  await c.query("UPDATE c4 SET p_id = 2, amount = 10 WHERE id = 101");
  await c.query("UPDATE p4 SET name = 'deux' WHERE id = 2"); // rename: lookups follow
  await c.query("UPDATE p8 SET name = 'deux' WHERE id = 2");
  await c.query("DELETE FROM c8 WHERE id = 100");
  await c.query("DELETE FROM c4 WHERE id = 100");
  await c.query("INSERT INTO p4 VALUES (3, 'three'); INSERT INTO c8 VALUES (104, 3, 8)");
  await c.query("INSERT INTO p8 VALUES (3, 'three'); INSERT INTO c4 VALUES (104, 3, 8)");
  await waitUntil("the stream", async () => (await child("c4", 104))?.linked === true);
  expect(await parent("p4", 1)).toEqual({ kids: 0, sum: 0 });
  expect(await parent("p4", 2)).toEqual({ kids: 2, sum: 9 });
  expect(await parent("p4", 3)).toEqual({ kids: 1, sum: 8 });
  expect(await child("c8", 101n)).toEqual({ linked: true, name: "deux", p_id: 2n });
  expect(await parent("p8", 1n)).toEqual({ kids: 0, sum: 0 });
  expect(await parent("p8", 2n)).toEqual({ kids: 2, sum: 15 });
  expect(await child("c4", 101)).toEqual({ linked: true, name: "deux", p_id: 2 });
  expect(await diffs()).toEqual({ rows: [], invariants: [] });
});

it("init declares both foreign keys as references with each column's own type", async () => {
  const plan = planInit(await introspectSchema(db.client, "public"), { schema: "public", tables: [], pattern: [], excludeTables: [], excludeColumns: [] });
  const defs = planTables(plan);
  const byName = new Map(defs.map((t) => [t.name, t]));
  expect(byName.get("c8")?.references.map((r) => [r.column, r.table])).toEqual([["p_id", "p4"]]);
  expect(byName.get("c8")?.columns.find((x) => x.name === "p_id")?.type).toBe("int8");
  expect(byName.get("c4")?.references.map((r) => [r.column, r.table])).toEqual([["p_id", "p8"]]);
  expect(byName.get("c4")?.columns.find((x) => x.name === "p_id")?.type).toBe("int4");
  expect(() => buildGraph(defs)).not.toThrow();
});
