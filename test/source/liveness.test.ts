// A silent replication connection is a dead one (issue 8: every network call has a time-out). An idle but live
// stream is kept (the status update asks for a reply and the walsender answers); a stalled path — bytes held, the
// TCP connection open — fails the stream with a retryable STREAM_FAILED instead of being waited on for ever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWal2JsonSource } from "../../src/source";
import { col, defineTable } from "../../src/definitions/define";
import { Pg2ConvexError } from "../../src/errors";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { collect, createSlotDatabase, sleep, type SlotDatabase } from "./support";

const tables = [defineTable({ name: "item", primaryKey: ["id"], columns: { id: col.int4().notNull() } })];

describe("source liveness", () => {
  let db: SlotDatabase;
  let proxy: TcpProxy;
  beforeAll(async () => {
    db = await createSlotDatabase("src_alive", "CREATE TABLE item (id int PRIMARY KEY)");
    const u = new URL(db.url);
    proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
  });
  afterAll(async () => {
    await proxy?.close();
    await db?.drop();
  });
  const source = () => createWal2JsonSource({ connectionString: proxy.via(db.url), slot: db.slot, tables, statusIntervalMs: 100, livenessTimeoutMs: 1_500 });

  it("keeps an idle live stream, and fails a stalled one with a retryable STREAM_FAILED", async () => {
    const s = source();
    const c = collect(s);
    await db.client.query("INSERT INTO item VALUES (1)");
    await c.untilCommits(1);
    // Idle for twice the liveness bound: the walsender's replies keep it alive.
    await sleep(3_000);
    let ended: unknown = "still running";
    void c.done.then(
      () => (ended = "resolved"),
      (e: unknown) => (ended = e),
    );
    expect(ended).toBe("still running");
    proxy.stall();
    try {
      const err = await c.done.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Pg2ConvexError);
      expect([(err as Pg2ConvexError).code, (err as Pg2ConvexError).retryable]).toEqual(["STREAM_FAILED", true]);
      expect((err as Error).message).toMatch(/no message from the server for \d+ s: the replication connection is stalled or dead/);
    } finally {
      proxy.unstall();
      proxy.cut();
    }
  });
});
