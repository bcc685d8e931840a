// One source transaction far larger than the part limit (src/assemble/parts.ts), through the real CLI into the
// stand-in: streamed in parts, the same keys changed in several parts, a SIGKILL between parts, a restart that
// replays the whole transaction; row-for-row convergence, the checkpoint (Convex and PostgreSQL's slot) never
// past the previous transaction before the last part, and the walsender never dropped although its
// wal_sender_timeout is 3 s for this database while the bridge works through the transaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { waitUntil as until } from "../support/wait";
import { parseLsn } from "../../src/model/lsn";

// 30k rows in parts of 5k: the stand-in (convex-test) ingests only a few hundred rows a second on a shared CI
// machine; BIG_ROWS / BIG_PART scale it up.
const ROWS = Number(process.env.BIG_ROWS ?? 30_000);
const PART_ROWS = process.env.BIG_PART ?? "5000";

interface Sample {
  rows: number;
  commitLsn: bigint | null;
  endLsn: bigint | null;
  confirmed: bigint;
  walsender: number | null;
}

describe("a transaction larger than --max-tx-buffer-rows", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv();
    await env.db.client.query(`ALTER DATABASE ${env.db.name} SET wal_sender_timeout = '3s'`);
  });
  afterAll(async () => env?.close());

  const sample = async (pause = 0): Promise<Sample> => {
    if (pause > 0) await new Promise((r) => setTimeout(r, pause)); // counting the rows is not free for the stand-in
    const [s, rows, slot] = await Promise.all([
      env.reader.state(env.config.slot),
      env.reader.countRows("avatar"),
      env.db.client.query("SELECT confirmed_flush_lsn::text AS c, active_pid FROM pg_replication_slots WHERE slot_name = $1", [env.config.slot]),
    ]);
    return { rows, commitLsn: s.commitLsn, endLsn: s.endLsn, confirmed: parseLsn(slot.rows[0].c), walsender: slot.rows[0].active_pid ?? null };
  };

  it("streams it in parts, survives a SIGKILL between parts, and converges row for row", async () => {
    const first = env.spawnRun(["--max-tx-buffer-rows", PART_ROWS]);
    await until("streaming", async () => (await env.reader.state(env.config.slot).catch(() => undefined))?.phase === "stream");
    // A small transaction first, so the checkpoint before the big one is known and durable.
    await env.db.client.query("INSERT INTO avatar (id, link) VALUES (0, 'before')");
    const before = await until("small transaction durable", async () => {
      const s = await sample();
      return s.rows === 1 && s.commitLsn !== null ? s : undefined;
    });

    // One transaction: inserts, then the first keys updated twice more (their changes land in later parts),
    // some deleted and a few re-inserted with another value.
    await env.db.client.query(`BEGIN;
      INSERT INTO avatar (id, link, name) SELECT g, 'v0', repeat('n', 40) FROM generate_series(1, ${ROWS}) g;
      UPDATE avatar SET link = 'v1' WHERE id BETWEEN 1 AND 15000;
      UPDATE avatar SET link = 'v2' WHERE id BETWEEN 1 AND 5000;
      DELETE FROM avatar WHERE id % 1000 = 7;
      INSERT INTO avatar (id, link) SELECT g, 'again' FROM generate_series(${ROWS + 1}, ${ROWS + 10}) g;
      INSERT INTO avatar (id, link) VALUES (2007, 'back');
      COMMIT`);

    // Watch: parts arrive in Convex while both checkpoints stay at the small transaction; kill mid-way.
    const samples: Sample[] = [];
    const mid = await until(
      "parts applied before the commit's checkpoint",
      async () => {
        const s = await sample(400);
        samples.push(s);
        return s.rows >= ROWS / 3 ? s : undefined;
      },
      240_000,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; last sample ${JSON.stringify(samples[samples.length - 1], (_, v) => (typeof v === "bigint" ? v.toString() : v))}; bridge output:\n${first.output().slice(-4000)}`);
    });
    first.kill("SIGKILL");
    await once(first, "exit");
    expect(mid.commitLsn).toBe(before.commitLsn);
    const afterKill = await sample();
    expect(afterKill.commitLsn).toBe(before.commitLsn);
    expect(afterKill.confirmed).toBeLessThanOrEqual(before.endLsn!);

    const second = env.spawnRun(["--max-tx-buffer-rows", PART_ROWS]);
    const done = await until(
      "the transaction's checkpoint",
      async () => {
        const s = await sample(400);
        samples.push(s);
        return s.commitLsn !== null && s.commitLsn > before.commitLsn! ? s : undefined;
      },
      400_000,
    );
    // The checkpoint moved only with the last part: every sample taken before then saw the old position.
    for (const s of samples) {
      if (s.commitLsn === before.commitLsn) expect(s.confirmed).toBeLessThanOrEqual(before.endLsn!);
      else expect(s).toBe(done);
    }
    expect(samples.some((s) => s.commitLsn === before.commitLsn && s.rows > Number(PART_ROWS))).toBe(true);

    const { rows, invariants } = await env.diffs();
    expect(rows).toEqual([]);
    expect(invariants).toEqual([]);
    const docs = await env.reader.getByKeys("avatar", [[1], [4999], [5001], [15001], [2007], [1007]]);
    expect(docs.map((d) => d?.link ?? null)).toEqual(["v2", "v2", "v1", "v0", "back", null]);

    // The walsender of each run stayed the same process from start to end (3 s timeout never hit).
    const pids = new Set(
      samples
        .slice(samples.indexOf(mid) + 1)
        .map((s) => s.walsender)
        .filter((p) => p !== null),
    );
    expect(pids.size).toBe(1);
    expect(new Set(samples.slice(0, samples.indexOf(mid) + 1).map((s) => s.walsender)).size).toBe(1);
    expect(second.output()).not.toMatch(/replication stream failed|replication timeout/);
    second.kill("SIGTERM");
    await once(second, "exit");
  }, 700_000);
});
