// The acknowledgement trap of pg-logical-replication 2.5.0 (its issue #22), demonstrated on the plain library,
// and the proof that our source is immune: a change received but not applied survives a crash.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogicalReplicationService, Wal2JsonPlugin } from "pg-logical-replication";
import { createWal2JsonSource } from "../../src/source";
import { formatLsn, parseLsn } from "../../src/model/lsn";
import { col, defineTable } from "../../src/definitions/define";
import { collect, createSlotDatabase, sleep, waitFor, type SlotDatabase } from "./support";

const tables = [defineTable({ name: "item", primaryKey: ["id"], columns: { id: col.int4().notNull(), v: col.text() } })];

describe("acknowledgement trap", () => {
  let db: SlotDatabase;
  beforeAll(async () => {
    db = await createSlotDatabase("src_trap", "CREATE TABLE item (id int PRIMARY KEY, v text)");
  });
  afterAll(async () => db?.drop());

  it("the plain library confirms received-but-unapplied changes on its own timer (auto: false)", async () => {
    const before = await db.confirmedFlush();
    await db.client.query("INSERT INTO item VALUES (1, 'a'), (2, 'b')");

    const svc = new LogicalReplicationService({ connectionString: db.url }, { acknowledge: { auto: false, timeoutSeconds: 1 } });
    const received: Array<{ lsn: string; action: string; nextlsn?: string }> = [];
    svc.on("data", (lsn: string, log: { action: string; nextlsn?: string }) => {
      received.push({ lsn, action: log.action, ...(log.nextlsn ? { nextlsn: log.nextlsn } : {}) });
    });
    svc.on("error", () => undefined);
    const done = svc.subscribe(new Wal2JsonPlugin({ formatVersion: "2", includeLsn: true }), db.slot, "0/0");
    done.catch(() => undefined);
    await waitFor("commit", () => received.some((r) => r.action === "C") || undefined);
    const commitEnd = parseLsn(received.find((r) => r.action === "C")!.nextlsn!);
    // Nothing applied, acknowledge() never called by us; wait past the library's 1 s timer.
    const moved = await waitFor("confirmed_flush_lsn to move", async () => {
      const now = await db.confirmedFlush();
      return now > before ? now : undefined;
    });
    await svc.stop();
    await done.catch(() => undefined);

    // The trap: PostgreSQL now believes everything received (plus one byte) was flushed downstream.
    expect(moved).toBeGreaterThan(commitEnd);
    console.info(`trap: slot confirmed_flush_lsn ${formatLsn(before)} -> ${formatLsn(moved)} (commit end ${formatLsn(commitEnd)}) without any acknowledge() call`);

    // ...so a consumer that crashed before applying them never sees those rows again.
    const again = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables, statusIntervalMs: 200 });
    const c = collect(again, 0n);
    await db.client.query("INSERT INTO item VALUES (3, 'c')");
    await c.untilCommits(1);
    // Leave the slot clean for the next test: confirm that transaction and wait until PostgreSQL has it.
    const end = parseLsn(c.commits()[0]!.json.nextlsn!);
    again.confirm(end);
    await waitFor("confirmation", async () => ((await db.confirmedFlush()) === end ? true : undefined));
    await again.stop();
    await c.done;
    const inserted = c.messages.filter((m) => m.json.action === "I").map((m) => m.json.columns![0]!.value);
    expect(inserted).toEqual([3]);
  });

  it("our source never reports an unconfirmed position, and a crash replays the unapplied changes", async () => {
    await db.client.query("INSERT INTO item VALUES (10, 'x'), (11, 'y')");
    await db.client.query("UPDATE item SET v = 'z' WHERE id = 10");
    const before = await db.confirmedFlush();

    const first = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables, statusIntervalMs: 200 });
    const a = collect(first, 0n);
    await a.untilCommits(2);
    // Several status intervals pass (the status timer runs every 200 ms) while nothing is confirmed.
    await sleep(1500);
    expect(await db.confirmedFlush()).toBe(before);
    // The "crash" before anything was applied downstream: the connection dies under the source.
    await db.client.query("SELECT pg_terminate_backend($1)", [await db.activePid()]);
    await expect(a.done).rejects.toMatchObject({ code: "STREAM_FAILED", retryable: true });
    await waitFor("the slot to be released", async () => ((await db.activePid()) === null ? true : undefined));
    expect(await db.confirmedFlush()).toBe(before);

    const second = createWal2JsonSource({ connectionString: db.url, slot: db.slot, tables, statusIntervalMs: 200 });
    const b = collect(second, 0n);
    await b.untilCommits(2);
    await second.stop();
    await b.done;
    expect(b.messages.map((m) => m.text)).toEqual(a.messages.map((m) => m.text));
    expect(b.messages.filter((m) => m.json.action !== "B" && m.json.action !== "C").map((m) => m.json.action)).toEqual(["I", "I", "U"]);
  });
});
