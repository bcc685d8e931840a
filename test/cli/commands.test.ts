// The CLI as an operator runs it: a real process per command against real PostgreSQL and the local Convex.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { slotInfo } from "../../src/postgres";
import { valuesSlotName } from "../../src/postgres/values-slot";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe("pg2convex CLI", () => {
  let env: MirrorEnv;
  let vars: Record<string, string>;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 4, courses: 3, stories: 20, users: 5 } });
    vars = { DATABASE_URL: env.db.url, CONVEX_URL: env.convex.url, CONVEX_ADMIN_KEY: env.convex.adminKey, PG2CONVEX_SLOT: env.config.slot };
  });
  afterAll(async () => env?.close());

  it("run without configuration exits 2 naming every missing setting at once", async () => {
    const r = await cli(["run"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/DATABASE_URL[\s\S]*CONVEX_URL[\s\S]*CONVEX_ADMIN_KEY/);
  });

  it("setup passes on the reference schema and prints a least-privilege role script", async () => {
    const ok = await cli(["setup"], vars);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/PostgreSQL is ready for pg2convex/);
    const role = await cli(["setup", "--role-sql", "mirror_reader"], vars);
    expect(role.code).toBe(0);
    expect(role.out).toMatch(/REPLICATION/);
    expect(role.out).toMatch(/GRANT SELECT ON[\s\S]*"story"/);
    expect(role.out).not.toMatch(/"users"/);
  });

  it("setup fails listing every problem with its fix", async () => {
    await env.db.client.query("ALTER TABLE story_done REPLICA IDENTITY NOTHING");
    await env.db.client.query("ALTER TABLE avatar ALTER COLUMN link DROP NOT NULL");
    try {
      const r = await cli(["setup"], vars);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/\[fail\].*story_done[\s\S]*fix: .*REPLICA IDENTITY/i);
      expect(r.out).toMatch(/\[fail\].*avatar[\s\S]*link/);
    } finally {
      await env.db.client.query("ALTER TABLE story_done REPLICA IDENTITY DEFAULT");
      await env.db.client.query("ALTER TABLE avatar ALTER COLUMN link SET NOT NULL");
    }
  });

  it("run serves /healthz, /readyz and /metrics, logs without secrets, and stops cleanly on SIGTERM", async () => {
    const run = env.spawnRun(["--log-level", "debug"]);
    const url = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.output());
        if (m) {
          clearInterval(t);
          resolve(m[1]!);
        }
      }, 50);
      setTimeout(() => (clearInterval(t), reject(new Error(`no metrics url in: ${run.output()}`))), 60_000);
    });
    const until = Date.now() + 60_000;
    while ((await fetch(`${url}/readyz`)).status !== 200) {
      if (Date.now() > until) throw new Error("never ready");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await env.db.client.query("UPDATE story SET todo_count = todo_count + 1 WHERE id = 1");
    await env.waitConverged();
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/pg2convex_rows_applied_total\{table="story"\} [1-9]/);
    expect(metrics).toMatch(/pg2convex_commit_to_visible_seconds_count [1-9]/);
    run.kill("SIGTERM");
    // 'close', not 'exit': the output asserted below is all read only once its pipes have closed.
    const code = await new Promise<number | null>((r) => run.once("close", r));
    expect(code).toBe(0);
    expect(run.output()).toMatch(/"op":"/); // batches carry an operation key
    expect(run.output()).not.toContain(env.convex.adminKey);
  });

  it("status reports checkpoint, lag and matching row counts; teardown needs --yes", async () => {
    const mirror = await env.start();
    await env.waitConverged();
    const r = await cli(["status", "--json"], vars);
    expect(r.code, r.out).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.phase).toBe("stream");
    expect(s.slotExists).toBe(true);
    expect(s.checkpoint).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(s.tables).toHaveLength(10);
    for (const t of s.tables) expect(t.convex, t.table).toBe(t.postgres);
    await mirror.stop();
    expect((await cli(["teardown"], vars)).code).toBe(1);
    expect((await slotInfo(env.db.client, env.config.slot)).exists).toBe(true);
    const down = await cli(["teardown", "--yes"], vars);
    expect(down.code, down.out).toBe(0);
    expect((await slotInfo(env.db.client, env.config.slot)).exists).toBe(false);
    expect(down.out).toContain(`dropped slot ${valuesSlotName(env.config.slot)}`);
    const left = await env.db.client.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name = $1", [valuesSlotName(env.config.slot)]);
    expect(left.rows).toEqual([]);
  });
});
