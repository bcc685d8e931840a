// Backpressure, clean stop, failures and keepalives of the wal2json source, against a real walsender.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogicalReplicationService, Wal2JsonPlugin } from "pg-logical-replication";
import { createWal2JsonSource } from "../../src/source";
import { parseLsn } from "../../src/model/lsn";
import { closedPort } from "../support/closed-port";
import { col, defineTable } from "../../src/definitions/define";
import { Pg2ConvexError } from "../../src/errors";
import { collect, createSlotDatabase, sleep, waitFor, type SlotDatabase } from "./support";

const tables = [defineTable({ name: "item", primaryKey: ["id"], columns: { id: col.int4().notNull() } })];

describe("source lifecycle", () => {
  let db: SlotDatabase;
  const source = (extra: { statusIntervalMs?: number; url?: string; slot?: string } = {}) => createWal2JsonSource({ connectionString: extra.url ?? db.url, slot: extra.slot ?? db.slot, tables, statusIntervalMs: extra.statusIntervalMs ?? 200 });
  /** Consumes everything pending and confirms it, so each test starts from an empty slot. */
  async function drain(): Promise<void> {
    const marker = Number((await db.client.query("INSERT INTO item VALUES (-1) ON CONFLICT (id) DO UPDATE SET id = -1 RETURNING txid_current()::text AS x")).rows[0].x);
    const s = source();
    const c = collect(s);
    const commit = await c.untilMessage("marker commit", (m) => m.json.action === "C" && m.json.xid === marker);
    s.confirm(parseLsn(commit.json.nextlsn!));
    await s.stop();
    await c.done;
  }
  beforeAll(async () => {
    db = await createSlotDatabase("src_life", "CREATE TABLE item (id int PRIMARY KEY)");
  });
  afterAll(async () => db?.drop());

  it("calls onMessage strictly one at a time, in order, through a large transaction", async () => {
    await drain();
    await db.client.query("INSERT INTO item SELECT 100000 + g FROM generate_series(1, 5000) g");
    const s = source();
    let inFlight = 0;
    let maxInFlight = 0;
    const c = collect(s, 0n, async (m) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (m.json.action === "I" && Number(m.json.columns![0]!.value) % 500 === 0) await sleep(30);
      await Promise.resolve();
      inFlight--;
    });
    await c.untilRowCommits(1);
    const commit = c.rowCommits()[0]!;
    await s.stop();
    await c.done;
    expect(maxInFlight).toBe(1);
    const rows = c.messages.filter((m) => m.json.action === "I").map((m) => Number(m.json.columns![0]!.value));
    expect(rows).toEqual(Array.from({ length: 5000 }, (_, i) => 100001 + i));
    const lsns = c.messages.slice(1, -1).map((m) => m.lsn);
    expect(lsns).toEqual([...lsns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(commit.lsn).toBe(parseLsn(commit.json.nextlsn!));
  });

  it("stop() ends cleanly while onMessage is busy: no later calls, slot released at once, stream() waits for the handler", async () => {
    await drain();
    await db.client.query("INSERT INTO item VALUES (10), (11), (12)");
    const s = source();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    let streamSettled = false;
    const c = collect(s, 0n, async () => {
      calls++;
      if (calls === 2) await gate;
    });
    c.done.finally(() => (streamSettled = true)).catch(() => undefined);
    await waitFor("second message", () => (calls === 2 ? true : undefined));
    const t0 = Date.now();
    await s.stop();
    expect(Date.now() - t0).toBeLessThan(3000);
    // The walsender finished START_REPLICATION and released the slot before we disconnected.
    expect(await db.activePid()).toBeNull();
    await sleep(100);
    expect(streamSettled).toBe(false);
    release();
    await c.done;
    expect(calls).toBe(2);
    await s.stop(); // idempotent
  });

  it("rejects stream() with a retryable STREAM_FAILED when the walsender is terminated, and can stream again", async () => {
    await drain();
    await db.client.query("INSERT INTO item VALUES (20)");
    const s = source();
    const c = collect(s);
    await c.untilRowCommits(1);
    await db.client.query("SELECT pg_terminate_backend($1)", [await db.activePid()]);
    const err = await c.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect(err).toMatchObject({ code: "STREAM_FAILED", retryable: true, context: { slot: db.slot, pgCode: "57P01" } });
    expect(JSON.stringify((err as Pg2ConvexError).toJSON())).not.toContain("postgres://");

    await waitFor("slot released", async () => ((await db.activePid()) === null ? true : undefined));
    const again = collect(s);
    await again.untilRowCommits(1);
    await s.stop();
    await again.done;
    expect(again.messages.map((m) => m.text)).toEqual(c.messages.map((m) => m.text));
  });

  it("rejects with onMessage's own error and closes the connection", async () => {
    await drain();
    await db.client.query("INSERT INTO item VALUES (30)");
    const boom = new Error("sink exploded");
    const s = source();
    let calls = 0;
    await expect(
      s.stream(0n, async () => {
        calls++;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
    // Ended cleanly: the slot is already free for the retry.
    expect(await db.activePid()).toBeNull();
  });

  it("answers keepalives that request a reply (wal_sender_timeout = 1s, status timer effectively off)", async () => {
    await drain();
    const url = `${db.url}?options=${encodeURIComponent("-c wal_sender_timeout=1s")}`;
    // Control: the plain library with its timer off never replies, and the walsender drops it.
    const plain = new LogicalReplicationService({ connectionString: url }, { acknowledge: { auto: false, timeoutSeconds: 0 } });
    plain.on("error", () => undefined);
    const t0 = Date.now();
    await plain.subscribe(new Wal2JsonPlugin({ formatVersion: "2" }), db.slot, "0/0").catch(() => undefined);
    // Dropped, by the 1 s timeout (a connection that is never dropped would hang here until the test times out).
    expect(Date.now() - t0).toBeLessThan(30_000);
    await plain.stop();
    await waitFor("slot released", async () => ((await db.activePid()) === null ? true : undefined));

    const s = source({ url, statusIntervalMs: 600_000 });
    let settled = false;
    const c = collect(s);
    c.done.finally(() => (settled = true)).catch(() => undefined);
    await db.client.query("INSERT INTO item VALUES (40)");
    await c.untilRowCommits(1);
    await sleep(3500);
    expect(settled).toBe(false);
    await s.stop();
    await c.done;
  });

  it("keeps the connection alive while onMessage is busy for longer than wal_sender_timeout (status timer)", async () => {
    await drain();
    const url = `${db.url}?options=${encodeURIComponent("-c wal_sender_timeout=1s")}`;
    await db.client.query("INSERT INTO item VALUES (45), (46)");
    const s = source({ url, statusIntervalMs: 300 });
    let slowDone = false;
    const c = collect(s, 0n, async (m) => {
      // The socket is paused during this call, so keepalive requests go unread: only the timer speaks.
      if (m.json.action === "I" && !slowDone) {
        await sleep(3000);
        slowDone = true;
      }
    });
    await c.untilRowCommits(1);
    await s.stop();
    await c.done;
    // Transactions without rows of the slot's tables (autovacuum's, on a loaded machine) may follow as "BC".
    expect(
      c.messages
        .map((m) => m.json.action)
        .join("")
        .replace(/BC/g, ""),
    ).toBe("BIIC");
  });

  it("reports serverWalEnd from keepalives once everything before them was delivered", async () => {
    await drain();
    const s = source();
    expect(s.serverWalEnd()).toBe(0n);
    await db.client.query("INSERT INTO item VALUES (50)");
    const c = collect(s);
    const commit = await c.untilMessage("commit", (m) => m.json.action === "C");
    const end = parseLsn(commit.json.nextlsn!);
    await waitFor("serverWalEnd to reach the commit end", () => (s.serverWalEnd() >= end ? true : undefined));
    await s.stop();
    await c.done;
  });

  it("reports a missing slot as SLOT_MISSING", async () => {
    await expect(source({ slot: "no_such_slot_here" }).stream(0n, async () => undefined)).rejects.toMatchObject({ code: "SLOT_MISSING", retryable: false });
  });

  it("reports an unreachable server as retryable PG_CONNECT", async () => {
    const port = await closedPort();
    const unreachable = db.url.replace(/:\d+\//, `:${port}/`);
    await expect(source({ url: unreachable }).stream(0n, async () => undefined)).rejects.toMatchObject({ code: "PG_CONNECT", retryable: true });
  });

  it("rejects bad configuration and a second concurrent stream()", async () => {
    expect(() => createWal2JsonSource({ connectionString: db.url, slot: "Bad-Slot", tables })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(() => createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables: [] })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    const s = source();
    await s.stop(); // before any stream: harmless
    const c = collect(s);
    await expect(s.stream(0n, async () => undefined)).rejects.toMatchObject({ code: "INTERNAL" });
    await s.stop();
    await c.done;
  });
});
