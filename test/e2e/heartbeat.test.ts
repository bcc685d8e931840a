// Heartbeats keep the slot moving: while only another database (and an unmirrored table) is written, the
// mirrored tables stay idle, and without heartbeats the slot would retain all that WAL (the control below
// shows it does not advance). With them, restart_lsn keeps advancing and retained WAL stays bounded while many
// WAL segments go by; the slot guard reports the retained WAL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { waitForStreaming, waitUntil } from "../support/wait";
import { startMirror } from "../../src/pipeline/mirror";
import { referenceTables } from "../../tables/reference";
import { silentLogger } from "../../src/log";
import { parseLsn } from "../../src/model/lsn";
import type { SlotHealth } from "../../src/observability/slot-guard";

const SEGMENT = 16 * 1024 * 1024;

describe("heartbeats and the slot guard", () => {
  let env: MirrorEnv;
  let other: TestDatabase;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 3, courses: 2, stories: 10, users: 3 } });
    other = await createTestDatabase("other");
    await other.client.query("CREATE TABLE noise (id bigserial PRIMARY KEY, pad text)");
    await env.db.client.query("CREATE TABLE unmirrored (id bigserial PRIMARY KEY, pad text)");
  });
  afterAll(async () => {
    await other?.drop();
    await env?.close();
  });

  const lsnNow = async () => parseLsn((await env.db.client.query("SELECT pg_current_wal_lsn()::text AS l")).rows[0].l);
  const restartLsn = async () => parseLsn((await env.db.client.query("SELECT restart_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1", [env.config.slot])).rows[0].l);
  /** WAL from elsewhere only: another database, then an unmirrored table of the mirrored one; a new segment each. */
  const writeElsewhere = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      await other.client.query("INSERT INTO noise (pad) SELECT repeat('x', 200) FROM generate_series(1, 5000)");
      if (i % 2 === 1) await env.db.client.query("INSERT INTO unmirrored (pad) VALUES ('y')");
      await other.client.query("SELECT pg_switch_wal()");
    }
  };

  it("without heartbeats the slot does not advance while only other databases write (control)", async () => {
    const mirror = await startMirror({ config: { ...env.config, heartbeatEvery: 3_600_000 }, tables: referenceTables, logger: silentLogger });
    await waitForStreaming(env);
    const before = await lsnNow();
    await writeElsewhere(3);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await restartLsn()).toBeLessThanOrEqual(before);
    expect((await lsnNow()) - (await restartLsn())).toBeGreaterThan(2n * BigInt(SEGMENT));
    await mirror.stop();
  });

  it("with heartbeats restart_lsn keeps advancing and retained WAL stays bounded", async () => {
    let health: SlotHealth | undefined;
    const mirror = await startMirror({ config: { ...env.config, heartbeatEvery: 300 }, tables: referenceTables, logger: silentLogger, onSlotHealth: (h) => (health = h) });
    await waitForStreaming(env);
    for (let round = 0; round < 3; round++) {
      await writeElsewhere(2);
      const target = await lsnNow();
      // Advancing past everything written so far: the slot does not hold on to the other database's WAL.
      await waitUntil(`restart_lsn past the WAL of round ${round}`, async () => (await restartLsn()) >= target, 90_000);
    }
    const retained = (await lsnNow()) - (await restartLsn());
    expect(retained).toBeLessThan(2n * BigInt(SEGMENT));
    await waitUntil("the slot guard's reading", () => health !== undefined && health.retainedWalBytes !== null && health.retainedWalBytes < 2 * SEGMENT);
    expect(health).toMatchObject({ walStatus: "reserved" });
    expect(health?.problem).toBeUndefined();
    await mirror.stop();
    // restart_lsn moves at running-xacts records, which PostgreSQL logs about every 15 s: rounds take that long.
  }, 300_000);
});
