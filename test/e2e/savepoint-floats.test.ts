// Issue 12 item 8: a row holding -Infinity in one float column, updated inside a SAVEPOINT that sets another
// float column to NaN, must keep both exact in Convex (wal2json 2.5 prints both as null; the values slot
// settles them). Never a silent null: either the exact value or a SPECIAL_VALUE_UNKNOWN reject.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema";
import { createMirrorReader, type MirrorReader } from "../../src/convex-client/mirror-reader";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { silentLogger } from "../../src/log";
import { startMirror, type MirrorHandle } from "../../src/pipeline/mirror";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { waitUntil } from "../support/wait";
import { floatTables } from "../fixtures/floats-app/tables";

const APP = fileURLToPath(new URL("../fixtures/floats-app/convex", import.meta.url));
let db: TestDatabase;
let convex: LocalConvexHandle;
let reader: MirrorReader;
let mirror: MirrorHandle;

beforeAll(async () => {
  db = await createTestDatabase("sp_floats");
  await db.client.query("CREATE TABLE twofloat (id int PRIMARY KEY, a float8, b float8, note text)");
  await db.client.query("INSERT INTO twofloat VALUES (1, '-Infinity', 1, 'x'), (2, 'NaN', 'Infinity', 'y')");
  convex = await withLocalConvex(APP);
  reader = createMirrorReader({ url: convex.url, adminKey: convex.adminKey });
  const config = configSchema.parse({ databaseUrl: db.url, convexUrl: convex.url, convexAdminKey: convex.adminKey, slot: `s_${db.name}`.slice(0, 63), metricsPort: 0, flushIntervalMs: 50, logLevel: "silent" });
  mirror = await startMirror({ config, tables: floatTables.filter((t) => t.name === "twofloat"), logger: silentLogger });
});
afterAll(async () => {
  await mirror?.stop().catch(() => undefined);
  await convex?.close();
  await db?.drop();
});

const docs = async () => (await reader.getByKeys("twofloat", [[1], [2], [3]])).map((d) => (d ? [d.a, d.b, d.note] : null));

it("keeps the untouched -Infinity and the savepoint's NaN exact", async () => {
  await waitUntil("the backfill", async () => (await docs())[1] !== null);
  expect(await docs()).toEqual([[-Infinity, 1, "x"], [NaN, Infinity, "y"], null]);
  const c = db.client;
  await c.query("BEGIN");
  await c.query("INSERT INTO twofloat VALUES (3, 'Infinity', NULL, 'z')");
  await c.query("SAVEPOINT s");
  await c.query("UPDATE twofloat SET b = 'NaN' WHERE id = 1");
  await c.query("UPDATE twofloat SET note = 'y2' WHERE id = 2");
  await c.query("RELEASE SAVEPOINT s");
  await c.query("COMMIT");
  await c.query("BEGIN");
  await c.query("SAVEPOINT s");
  await c.query("UPDATE twofloat SET note = 'z2', b = '-Infinity' WHERE id = 3");
  await c.query("RELEASE SAVEPOINT s");
  await c.query("COMMIT");
  await waitUntil("the stream", async () => (await docs())[2]?.[2] === "z2");
  expect(await docs()).toEqual([
    [-Infinity, NaN, "x"],
    [NaN, Infinity, "y2"],
    [Infinity, -Infinity, "z2"],
  ]);
  // A subtransaction rolled back, then the same column set again in another; and a PL/pgSQL EXCEPTION block.
  await c.query("BEGIN");
  await c.query("UPDATE twofloat SET note = 'x2' WHERE id = 1");
  await c.query("SAVEPOINT s");
  await c.query("UPDATE twofloat SET a = 7 WHERE id = 1");
  await c.query("ROLLBACK TO SAVEPOINT s");
  await c.query("SAVEPOINT t");
  await c.query("UPDATE twofloat SET b = 'Infinity' WHERE id = 1");
  await c.query("COMMIT");
  await c.query(`DO $$ BEGIN
      BEGIN UPDATE twofloat SET b = 'NaN', note = 'y3' WHERE id = 2; END;
      BEGIN UPDATE twofloat SET a = 1 WHERE id = 3; RAISE EXCEPTION 'undo'; EXCEPTION WHEN OTHERS THEN NULL; END;
      UPDATE twofloat SET note = 'z3' WHERE id = 3;
    END $$`);
  await waitUntil("the stream", async () => (await docs())[2]?.[2] === "z3");
  expect(await docs()).toEqual([
    [-Infinity, Infinity, "x2"],
    [NaN, NaN, "y3"],
    [Infinity, -Infinity, "z3"],
  ]);
});
