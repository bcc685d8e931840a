// Issue 12 §4 and §5 end to end (real PostgreSQL + wal2json, the local Convex serving the schema-app functions):
// a partitioned table mirrors as one Convex table (backfill through the parent, rows of every leaf, a partition
// created while streaming, a row moved between partitions by an UPDATE), and a foreign-key cycle with one
// non-ordering reference fills both `_ref` fields whichever row arrives first, in one transaction or across two.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchemaAppEnv, type SchemaAppEnv } from "./schema-app";
import { waitUntil } from "../support/wait";

describe("partitioned tables and foreign-key cycles", () => {
  let env: SchemaAppEnv;
  beforeAll(async () => {
    env = await createSchemaAppEnv();
    await env.db.client.query(`INSERT INTO reading (id, at, v, mood, fulltext) VALUES (1, '2024-03-01', 10, 'calm', 'a b'), (2, '2025-02-01', 20, 'busy', 'c')`);
    await env.start();
  });
  afterAll(async () => env?.close());

  const readings = async () =>
    (await env.docs("reading"))
      .map((d) => `${d.id}@${d.at}=${d.v}`)
      .sort()
      .join(" ");

  it("backfills every leaf through the parent, under the parent's name, without the excluded column", async () => {
    expect(await readings()).toBe("1@2024-03-01=10 2@2025-02-01=20");
    const doc = (await env.docs("reading")).find((d) => d.id === 1)!;
    expect("fulltext" in doc).toBe(false);
  });

  it("streams rows of leaves, of a partition created while streaming, and a row moved between partitions", async () => {
    await env.db.client.query(`INSERT INTO reading (id, at, v) VALUES (3, '2024-05-01', 30), (4, '2025-03-01', 40)`);
    await env.db.client.query(`CREATE TABLE reading_2025h2 PARTITION OF reading_2025 FOR VALUES FROM ('2025-07-01') TO ('2026-01-01')`);
    await env.db.client.query(`INSERT INTO reading (id, at, v) VALUES (5, '2025-08-01', 50)`);
    // The partition key is in the primary key: the row moves to another leaf and another key.
    await env.db.client.query(`UPDATE reading SET at = '2025-09-01', v = 11 WHERE id = 1`);
    await env.db.client.query(`BEGIN; UPDATE reading SET at = '2024-06-01' WHERE id = 4; UPDATE reading SET v = 41 WHERE id = 4; COMMIT`);
    await env.db.client.query(`UPDATE reading SET fulltext = 'x y' WHERE id = 2`);
    const want = "1@2025-09-01=11 2@2025-02-01=20 3@2024-05-01=30 4@2024-06-01=41 5@2025-08-01=50";
    await waitUntil("the partitioned table converged", async () => ((await readings()) === want ? true : undefined), 30_000);
    expect(await env.drift("reading")).toEqual([]);
  });

  it("fills both references of a cycle whichever row arrives first, in one transaction and across two", async () => {
    // One transaction, staff (child of store) first, the store pointing back at it: deferred foreign keys.
    await env.db.client.query(`BEGIN; INSERT INTO staff VALUES (10, 'ann', 1); INSERT INTO store VALUES (1, 'north', 10); COMMIT`);
    // Across transactions, the non-ordering edge's parent arriving last.
    await env.db.client.query(`INSERT INTO store VALUES (2, 'south', NULL)`);
    await env.db.client.query(`INSERT INTO staff VALUES (20, 'bob', 2)`);
    await env.db.client.query(`UPDATE store SET manager_staff_id = 20 WHERE id = 2`);
    // One transaction, the other order: the store first, pointing at staff inserted after it.
    await env.db.client.query(`BEGIN; INSERT INTO store VALUES (3, 'east', 30); INSERT INTO staff VALUES (30, 'dee', 3); COMMIT`);
    // Across transactions, the store pointing at staff that only arrives in a later transaction (foreign-key
    // triggers off for the session, as a bulk load might do): its _ref is filled when the staff row arrives.
    await env.db.client.query(`SET session_replication_role = replica; INSERT INTO store VALUES (4, 'west', 40); RESET session_replication_role`);
    await waitUntil("the store without its manager", async () => ((await env.docs("store")).some((s) => s.id === 4) ? true : undefined), 30_000);
    expect((await env.docs("store")).find((s) => s.id === 4)!.manager_staff_id_ref).toBeUndefined();
    await env.db.client.query(`INSERT INTO staff VALUES (40, 'eve', 4)`);
    const linked = async () => {
      const stores = await env.docs("store");
      const staff = await env.docs("staff");
      const staffId = new Map(staff.map((s) => [s.id, s._id]));
      const storeId = new Map(stores.map((s) => [s.id, s._id]));
      const ok = stores.length === 4 && staff.length === 4 && stores.every((s) => s.manager_staff_id_ref === staffId.get(s.manager_staff_id)) && staff.every((s) => s.store_id_ref === storeId.get(s.store_id));
      return ok ? { stores, staff } : undefined;
    };
    const { stores } = await waitUntil("both references of the cycle filled", linked, 30_000);
    expect(stores.every((s) => typeof s.manager_staff_id_ref === "string")).toBe(true);
  });
});
