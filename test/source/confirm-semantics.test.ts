// The exact restart rule, measured on PostgreSQL: after a restart the slot redelivers a transaction iff its
// commit LSN (the C record's `lsn`) >= max(start position, confirmed_flush_lsn). Confirming a transaction's
// endLsn (the C record's `nextlsn`) therefore skips it, while a transaction whose commit record starts exactly at
// that endLsn is still delivered; confirming endLsn + 1 (what pg-logical-replication's acknowledge() sends)
// would silently drop that second transaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createWal2JsonSource } from "../../src/source";
import { formatLsn, parseLsn, type Lsn } from "../../src/model/lsn";
import { col, defineTable } from "../../src/definitions/define";
import { collect, createSlotDatabase, waitFor, type SlotDatabase } from "./support";

const tables = [defineTable({ name: "item", primaryKey: ["id"], columns: { id: col.int4().notNull() } })];

interface Commit {
  xid: number;
  commitLsn: Lsn;
  endLsn: Lsn;
}

describe("confirm / restart semantics", () => {
  let db: SlotDatabase;
  let other: pg.Client;
  beforeAll(async () => {
    db = await createSlotDatabase("src_confirm", "CREATE TABLE item (id int PRIMARY KEY)");
    other = new pg.Client(db.url);
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await db?.drop();
  });

  /** Streams from `from`, returns the commits delivered; optionally confirms `confirmAt` and waits until PostgreSQL has it. */
  async function session(from: Lsn, confirmAt?: Lsn): Promise<Commit[]> {
    const source = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables, statusIntervalMs: 100 });
    const c = collect(source, from);
    await waitFor("the marker transaction", () => c.commits().find((m) => m.json.xid === markerXid));
    if (confirmAt !== undefined) {
      source.confirm(confirmAt);
      await waitFor("confirmed_flush_lsn", async () => ((await db.confirmedFlush()) === confirmAt ? true : undefined));
    }
    await source.stop();
    await c.done;
    return c.commits().map((m) => ({ xid: m.json.xid!, commitLsn: parseLsn(m.json.lsn!), endLsn: parseLsn(m.json.nextlsn!) }));
  }

  let markerXid = -1;

  it("skips exactly the transactions whose commit LSN is below the confirmed position", async () => {
    // Build back-to-back commits: B writes first, A commits, then B commits right after A's commit record.
    for (let i = 0; i < 3; i++) {
      await db.client.query("BEGIN");
      await db.client.query("INSERT INTO item VALUES ($1)", [100 + i]);
      await other.query("INSERT INTO item VALUES ($1)", [200 + i]);
      await db.client.query("COMMIT");
    }
    markerXid = Number((await db.client.query("INSERT INTO item VALUES (999) RETURNING txid_current()::text AS x")).rows[0].x);

    const all = await session(0n);
    const pairIndex = all.findIndex((a, i) => all[i + 1] !== undefined && a.endLsn === all[i + 1]!.commitLsn);
    expect(pairIndex, "two commits back to back in WAL").toBeGreaterThanOrEqual(0);
    const A = all[pairIndex]!;
    const B = all[pairIndex + 1]!;
    console.info(`adjacent commits: A xid ${A.xid} commit ${formatLsn(A.commitLsn)} end ${formatLsn(A.endLsn)}; B xid ${B.xid} commit ${formatLsn(B.commitLsn)}`);
    const expected = (pos: Lsn) => all.filter((c) => c.commitLsn >= pos).map((c) => c.xid);

    // Confirm A's endLsn: A is never redelivered, B (whose commit starts at that very LSN) still is.
    await session(0n, A.endLsn);
    const afterA = await session(0n);
    expect(afterA.map((c) => c.xid)).toEqual(expected(A.endLsn));
    expect(afterA.map((c) => c.xid)).not.toContain(A.xid);
    expect(afterA[0]!.xid).toBe(B.xid);

    // Confirming A's endLsn + 1 — what the library's acknowledge() would send — drops B though it was never confirmed.
    await session(0n, A.endLsn + 1n);
    const afterPlusOne = await session(0n);
    expect(afterPlusOne.map((c) => c.xid)).toEqual(expected(A.endLsn + 1n));
    expect(afterPlusOne.map((c) => c.xid)).not.toContain(B.xid);
  });

  it("treats an explicit start position above confirmed_flush_lsn the same way", async () => {
    const confirmed = await db.confirmedFlush();
    const all = await session(0n);
    const last = all[all.length - 1]!;
    expect(last.xid).toBe(markerXid);
    expect(all[0]!.commitLsn).toBeGreaterThanOrEqual(confirmed);
    // from = the marker's commit LSN: earlier commits are skipped, the marker itself (commitLsn == from) is delivered.
    expect(all.length).toBeGreaterThan(1);
    expect((await session(last.commitLsn)).map((c) => c.xid)).toEqual([markerXid]);
    // The start position is not a confirmation.
    expect(await db.confirmedFlush()).toBe(confirmed);
  });

  it("ignores confirmations that go backwards", async () => {
    const all = await session(0n);
    const last = all[all.length - 1]!;
    const source = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables, statusIntervalMs: 100 });
    const c = collect(source, 0n);
    await c.untilCommits(1);
    source.confirm(last.endLsn);
    source.confirm(last.commitLsn);
    source.confirm(0n);
    await waitFor("confirmed_flush_lsn", async () => ((await db.confirmedFlush()) === last.endLsn ? true : undefined));
    await new Promise((r) => setTimeout(r, 400));
    expect(await db.confirmedFlush()).toBe(last.endLsn);
    await source.stop();
    await c.done;
  });
});
