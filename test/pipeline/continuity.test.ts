// The start-up proof of continuity against real PostgreSQL + wal2json and the local Convex: the identity a
// new mirror records, the invariant that makes the slot check exact (PostgreSQL is never confirmed past the
// Convex checkpoint, also for transactions without mirrored rows), and each refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { createTestDatabase } from "../support/pg";
import { referenceSchemaSql } from "../../src/reference/seed";
import { proveContinuity } from "../../src/pipeline/continuity";
import { REBUILD_MIRROR } from "../../src/errors/recovery";
import { Pg2ConvexError } from "../../src/errors";
import { dropSlot, slotInfo } from "../../src/postgres";
import { parseLsn } from "../../src/model/lsn";
import { waitUntil as until } from "../support/wait";

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e as Pg2ConvexError,
  );

describe("continuity at start", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 4, courses: 3, stories: 30, users: 6 } });
  });
  afterAll(async () => env?.close());

  it("a new mirror records the identity of the PostgreSQL it was backfilled from", async () => {
    const mirror = await env.start();
    await env.waitConverged();
    const { rows } = await env.db.client.query("SELECT system_identifier::text AS id FROM pg_control_system()");
    const state = await env.reader.state(env.config.slot);
    expect(state.mirror).toMatchObject({ systemId: rows[0].id, database: env.db.name, slot: env.config.slot });
    expect(state.mirror!.mirrorId).toMatch(/^[0-9a-f-]{36}$/);
    await mirror.stop();
  });

  it("never confirms PostgreSQL past the Convex checkpoint, also for transactions without mirrored rows", async () => {
    const mirror = await env.start();
    const before = await env.reader.state(env.config.slot);
    // Writes to an unmirrored table only: empty transactions for the bridge.
    for (let i = 0; i < 4; i++) await env.db.client.query("INSERT INTO users (name) VALUES ($1)", [`continuity ${i}`]);
    // Taken before the last write: WAL after it may hold records that are no transaction (running-xacts), which
    // no confirmation ever reaches, so "past this point" is what proves the last write was confirmed.
    const target = parseLsn((await env.db.client.query("SELECT pg_current_wal_lsn()::text AS l")).rows[0].l);
    await env.db.client.query("INSERT INTO users (name) VALUES ($1)", ["continuity 4"]);
    await until("the slot to confirm the unmirrored writes", async () => {
      const slot = await slotInfo(env.db.client, env.config.slot);
      // Read after the slot: Convex is written before PostgreSQL is told, so it must already be at least there.
      const convex = await env.reader.state(env.config.slot);
      expect(slot.confirmedFlushLsn!).toBeLessThanOrEqual(convex.endLsn!);
      return slot.confirmedFlushLsn! > target;
    });
    expect((await env.reader.state(env.config.slot)).endLsn!).toBeGreaterThan(before.endLsn!);
    await mirror.stop();
    // The slot continues the checkpoint exactly, so a restart proves continuity and streams on.
    const again = await env.start();
    await env.db.client.query("UPDATE story SET name = 'after unmirrored writes' WHERE id = 2");
    await env.waitConverged();
    await again.stop();
  });

  it("accepts a slot exactly at the checkpoint and refuses one a byte past it (CONTINUITY_GAP)", async () => {
    const state = await env.reader.state(env.config.slot);
    const confirmed = (await slotInfo(env.db.client, env.config.slot)).confirmedFlushLsn!;
    const input = { pg: env.db.client, connectionString: env.db.url, slot: env.config.slot };
    await expect(proveContinuity({ ...input, state: { ...state, endLsn: confirmed } })).resolves.toMatchObject({ resumesAt: confirmed, identity: state.mirror });
    const e = await failure(proveContinuity({ ...input, state: { ...state, endLsn: confirmed - 1n } }));
    expect(e.code).toBe("CONTINUITY_GAP");
    expect(e.fix).toContain(REBUILD_MIRROR);
  });

  it("proves a mirror recorded without an identity (older pg2convex) and gives it one", async () => {
    const state = await env.reader.state(env.config.slot);
    const proof = await proveContinuity({ pg: env.db.client, connectionString: env.db.url, slot: env.config.slot, state: { ...state, mirror: null } });
    expect(proof.identity).toMatchObject({ systemId: state.mirror!.systemId, database: env.db.name, slot: env.config.slot });
    expect(proof.identity.mirrorId).not.toBe(state.mirror!.mirrorId);
  });

  it("on a reconnect, refuses a deployment that no longer holds the mirror this bridge streams as", async () => {
    const state = await env.reader.state(env.config.slot);
    const input = { pg: env.db.client, connectionString: env.db.url, slot: env.config.slot, expectedMirrorId: state.mirror!.mirrorId };
    await expect(proveContinuity({ ...input, state })).resolves.toMatchObject({ identity: state.mirror });
    const empty = { ...state, phase: "new" as const, commitLsn: null, endLsn: null, snapshotLsn: null, backfill: [], updatedAt: null, mirror: null };
    const lost = await failure(proveContinuity({ ...input, state: empty }));
    expect(lost.code).toBe("MIRROR_STATE_LOST");
    expect(lost.fix).toContain(REBUILD_MIRROR);
    const other = await failure(proveContinuity({ ...input, state: { ...state, mirror: { ...state.mirror!, mirrorId: "another" } } }));
    expect(other.code).toBe("MIRROR_MISMATCH");
  });

  it("refuses a PostgreSQL database other than the one the mirror records (MIRROR_MISMATCH), writing nothing", async () => {
    const other = await createTestDatabase("other");
    try {
      await other.client.query(referenceSchemaSql());
      const before = await env.reader.state(env.config.slot);
      const e = await failure(env.start({ databaseUrl: other.url }));
      expect(e.code).toBe("MIRROR_MISMATCH");
      expect(e.message).toContain(env.db.name);
      expect(await env.reader.state(env.config.slot)).toEqual(before);
      expect((await other.client.query("SELECT count(*)::int AS n FROM pg_replication_slots WHERE database = current_database()")).rows[0].n).toBe(0);
    } finally {
      await other.drop();
    }
  });

  it("refuses a streaming mirror whose slot is gone (SLOT_MISSING) with the rebuild recovery", async () => {
    await dropSlot(env.db.client, env.config.slot);
    const e = await failure(env.start());
    expect(e.code).toBe("SLOT_MISSING");
    expect(e.fix).toContain(REBUILD_MIRROR);
    // Refusing does not create a slot behind the operator's back.
    expect((await slotInfo(env.db.client, env.config.slot)).exists).toBe(false);
  });
});
