// A permanent Convex failure stops the stream with a clear error and leaves the checkpoint (in Convex and in
// the slot) where it was; after the cause is fixed, a restart converges. Transient failures are retried in order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { Pg2ConvexError } from "../../src/errors";
import { slotInfo } from "../../src/postgres";

describe("Convex failures while streaming", () => {
  let env: MirrorEnv;
  let proxy: FaultProxy;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 5, courses: 4, stories: 40, users: 10 } });
    proxy = await startFaultProxy(env.convex.url);
  });
  afterAll(async () => {
    await env?.close();
    await proxy?.close();
  });

  it("retries transient failures without losing or reordering changes", async () => {
    const mirror = await env.start({ convexUrl: proxy.url, retries: 10 });
    await env.waitConverged();
    proxy.failNext("503", 3);
    for (let i = 0; i < 10; i++) await env.db.client.query("UPDATE story SET todo_count = $1 WHERE id = 1", [i]);
    await env.waitConverged();
    expect((await env.reader.getByKeys("story", [[1]]))[0]!.todo_count).toBe(9);
    await mirror.stop();
  });

  it("stops on a permanent failure with the checkpoint unmoved, and converges after restart", async () => {
    const mirror = await env.start({ convexUrl: proxy.url });
    await env.waitConverged();
    const before = await env.reader.state(env.config.slot);
    const slotBefore = await slotInfo(env.db.client, env.config.slot);
    proxy.failAlways("400");
    await env.db.client.query("UPDATE language SET name = 'during outage' WHERE id = 1");
    const err = await mirror.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect((err as Pg2ConvexError).code).toBe("CONVEX_PERMANENT");
    expect((await env.reader.state(env.config.slot)).commitLsn).toBe(before.commitLsn);
    // PostgreSQL was never confirmed past what Convex holds (a status update still in flight when the failure hit
    // may have confirmed up to the checkpoint, never beyond it).
    const confirmed = (await slotInfo(env.db.client, env.config.slot)).confirmedFlushLsn!;
    expect(confirmed >= slotBefore.confirmedFlushLsn!).toBe(true);
    expect(confirmed <= before.endLsn!, `confirmed ${confirmed} vs checkpoint end ${before.endLsn}`).toBe(true);
    proxy.clear();
    await env.start({ convexUrl: proxy.url });
    await env.waitConverged();
    expect((await env.reader.getByKeys("language", [[1]]))[0]!.name).toBe("during outage");
  });
});
