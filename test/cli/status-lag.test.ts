// `status` lag in seconds means what it says (issue 8): the age of the commit of the oldest mirrored change not
// yet in Convex, 0 when caught up — not the time since the checkpoint last moved (an idle, caught-up mirror
// used to show "lag 288 bytes, 577 s").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { waitForStreaming } from "../support/wait";
import { slotInfo } from "../../src/postgres";
import { statusLagSeconds } from "../../src/cli/commands/status-lag";
import { referenceTables } from "../../tables/reference";

describe("status: lag seconds", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 3, courses: 2, stories: 10, users: 3 } });
  });
  afterAll(async () => env?.close());

  const lag = async () => {
    const slot = await slotInfo(env.db.client, env.config.slot);
    return { bytes: slot.lagBytes, seconds: await statusLagSeconds({ pg: env.db.client, config: env.config, tables: referenceTables, active: slot.active, lagBytes: slot.lagBytes }) };
  };

  it("is 0 on a caught-up mirror whose slot only holds unmirrored WAL, and the age of the oldest mirrored change otherwise", async () => {
    const mirror = await env.start();
    await waitForStreaming(env);
    await env.waitConverged();
    await mirror.stop();
    // Only an unmirrored table changes: bytes of lag, but nothing of the mirror is behind.
    await env.db.client.query("INSERT INTO users (name, email) VALUES ('not mirrored', 'nm@example.com')");
    await new Promise((r) => setTimeout(r, 1_500));
    const idle = await lag();
    expect(idle.bytes).toBeGreaterThan(0n);
    expect(idle.seconds).toBe(0);
    // A mirrored change nobody applies: its age.
    const before = Date.now();
    await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id = 1");
    await new Promise((r) => setTimeout(r, 2_500));
    const behind = await lag();
    expect(behind.seconds).toBeGreaterThanOrEqual(2);
    expect(behind.seconds!).toBeLessThanOrEqual(Math.ceil((Date.now() - before) / 1000) + 1);
    // Applied again: caught up.
    const again = await env.start();
    await env.waitConverged();
    await again.stop();
    expect((await lag()).seconds).toBe(0);
  });
});
