// Slot management against real PostgreSQL 15 + wal2json: exported snapshot semantics, inspection,
// removal of an active slot, and the refusals setup and start-up rely on.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { postgresBinDir } from "../../src/devtools/pg-cluster";
import { Pg2ConvexError } from "../../src/errors";
import { assertSlotAbsent, createSlotWithSnapshot, dropSlot, isValidSlotName, requireSlot, SLOT_NAME_RULE, slotInfo, validateSlotName } from "../../src/postgres";
import { configSchema } from "../../src/config/schema";
import { createWal2JsonSource } from "../../src/source";
import { referenceTables } from "../../tables/reference";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { valuesSlotName } from "../../src/postgres/values-slot";
import { parseLsn } from "../../src/model/lsn";

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<Pg2ConvexError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(Pg2ConvexError);
    return e as Pg2ConvexError;
  }
  throw new Error("expected a Pg2ConvexError");
}

async function until(what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("replication slots", () => {
  let db: TestDatabase;
  const slot = () => `s_${db.name}`.slice(0, 63);
  beforeAll(async () => {
    db = await createTestDatabase("sqlslot");
    await db.client.query("CREATE TABLE item (id int PRIMARY KEY, label text)");
    await db.client.query("INSERT INTO item VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  });
  afterAll(() => db.drop());

  it("exports a snapshot holding exactly the rows committed before the slot", async () => {
    const created = await createSlotWithSnapshot(db.url, slot());
    expect(created.slot).toBe(slot());
    expect(typeof created.consistentPoint).toBe("bigint");
    // Under wal2json 2.5 the values slot exists too, and begins no later than the mirror's slot.
    const values = await db.client.query("SELECT plugin, confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [valuesSlotName(slot())]);
    expect(values.rows[0]?.plugin).toBe("test_decoding");
    expect(parseLsn(values.rows[0].lsn) <= created.consistentPoint).toBe(true);
    expect(created.snapshotName).toMatch(/^[0-9A-F-]+$/);
    await db.client.query("INSERT INTO item VALUES (4, 'after')");

    const reader = new pg.Client(db.url);
    await reader.connect();
    try {
      await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      await reader.query(`SET TRANSACTION SNAPSHOT '${created.snapshotName}'`);
      const { rows } = await reader.query("SELECT id FROM item ORDER BY id");
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
      await reader.query("COMMIT");
      await created.release();
      await created.release(); // idempotent
      // The snapshot dies with the replication connection.
      await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      await expect(reader.query(`SET TRANSACTION SNAPSHOT '${created.snapshotName}'`)).rejects.toThrow(/invalid snapshot identifier/);
      await reader.query("ROLLBACK");
    } finally {
      await reader.end();
    }

    const changes = await db.client.query("SELECT lsn::text, data FROM pg_logical_slot_get_changes($1, NULL, NULL, 'format-version', '2')", [slot()]);
    const inserts = changes.rows.map((r) => JSON.parse(r.data)).filter((c) => c.action === "I");
    expect(inserts.map((c) => c.columns.find((x: { name: string }) => x.name === "id").value)).toEqual([4]);
  });

  it("refuses to create an existing slot: SLOT_EXISTS with the teardown fix", async () => {
    const e = await codeOf(createSlotWithSnapshot(db.url, slot()));
    expect(e.code).toBe("SLOT_EXISTS");
    expect(e.fix).toBe("run pg2convex teardown first, or use --slot");
    const e2 = await codeOf(assertSlotAbsent(db.client, slot()));
    expect(e2.code).toBe("SLOT_EXISTS");
    expect(e2.fix).toBe("run pg2convex teardown first, or use --slot");
    await expect(assertSlotAbsent(db.client, "pg2convex_no_such_slot")).resolves.toBeUndefined();
  });

  it("reports slot LSNs, lag and retained WAL as bigints", async () => {
    await db.client.query("INSERT INTO item SELECT g, 'x' FROM generate_series(10, 200) g");
    const info = await slotInfo(db.client, slot());
    expect(info).toMatchObject({ exists: true, active: false, activePid: null, plugin: "wal2json", database: db.name, walStatus: "reserved" });
    expect(info.currentWalLsn).toBeGreaterThan(info.confirmedFlushLsn!);
    expect(info.lagBytes).toBe(info.currentWalLsn - info.confirmedFlushLsn!);
    expect(info.lagBytes!).toBeGreaterThan(0n);
    expect(info.retainedBytes).toBe(info.currentWalLsn - info.restartLsn!);
    expect(info.retainedBytes!).toBeGreaterThanOrEqual(info.lagBytes!);
    await expect(requireSlot(db.client, slot())).resolves.toMatchObject({ exists: true });

    const none = await slotInfo(db.client, "pg2convex_no_such_slot");
    expect(none).toMatchObject({ exists: false, active: false, plugin: null, restartLsn: null, lagBytes: null, retainedBytes: null });
    expect(none.currentWalLsn).toBeGreaterThan(0n);
    const e = await codeOf(requireSlot(db.client, "pg2convex_no_such_slot"));
    expect(e.code).toBe("SLOT_MISSING");
    expect(e.fix).toMatch(/pg2convex setup/);
  });

  it("requireSlot rejects a slot made with another plugin", async () => {
    const other = `o_${db.name}`.slice(0, 63);
    await db.client.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [other]);
    const e = await codeOf(requireSlot(db.client, other));
    expect(e.code).toBe("PG_CHECK_FAILED");
    expect(e.message).toMatch(/plugin test_decoding/);
    await dropSlot(db.client, other);
  });

  it("drops a slot in use by a walsender, terminating it first", async () => {
    let proc: ChildProcess | undefined;
    try {
      proc = spawn(join(postgresBinDir(), "pg_recvlogical"), ["-d", db.url, "--slot", slot(), "--start", "--no-loop", "-f", "/dev/null"], { stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => proc!.once("exit", resolve));
      await until("the slot to become active", async () => (await slotInfo(db.client, slot())).active);
      expect((await slotInfo(db.client, slot())).activePid).toEqual(expect.any(Number));
      await dropSlot(db.client, slot());
      expect((await slotInfo(db.client, slot())).exists).toBe(false);
      await exited; // pg_recvlogical exits once its walsender is gone
    } finally {
      if (proc && proc.exitCode === null && proc.pid) process.kill(proc.pid);
    }
    const e = await codeOf(dropSlot(db.client, slot()));
    expect(e.code).toBe("SLOT_MISSING");
    expect(e.fix).toMatch(/pg_replication_slots/);
  });

  it("validates slot names by PostgreSQL's rule before touching the server", async () => {
    for (const ok of ["pg2convex", "a", "x_1", "a".repeat(63)]) expect(() => validateSlotName(ok)).not.toThrow();
    for (const bad of ["", "Upper", "with-dash", "sp ace", "a".repeat(64), 'q"uote']) {
      const e = await codeOf(() => validateSlotName(bad));
      expect(e.code).toBe("CONFIG_INVALID");
      expect(e.message).toMatch(/lowercase letters, digits and underscores/);
      expect(e.fix).toMatch(/--slot/);
    }
    expect((await codeOf(createSlotWithSnapshot("postgres://nobody@127.0.0.1:1/none", "Bad"))).code).toBe("CONFIG_INVALID");
    expect((await codeOf(dropSlot(db.client, "Bad"))).code).toBe("CONFIG_INVALID");
  });

  it("the configuration and the replication source apply that same rule", () => {
    const base = { databaseUrl: "postgres://u@h/db", convexUrl: "http://127.0.0.1:3210", convexAdminKey: "admin-key-1234" };
    for (const slot of ["pg2convex", "a", "x_1", "a".repeat(63), "", "Upper", "with-dash", "a".repeat(64), 'q"uote']) {
      const parsed = configSchema.safeParse({ ...base, slot });
      expect(parsed.success, slot).toBe(isValidSlotName(slot));
      if (!parsed.success) expect(parsed.error.issues[0]?.message).toBe(`slot names are ${SLOT_NAME_RULE}`);
      const source = () => createWal2JsonSource({ connectionString: base.databaseUrl, slot, tables: referenceTables });
      if (isValidSlotName(slot)) expect(source).not.toThrow();
      else expect(source).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", context: { slot } }));
    }
  });
});
