// NaN/±Infinity end to end (wal2json 2.5 prints them as JSON null): exact in Convex whether the bridge reads
// the commit before it is visible, lags behind it, meets it inside savepoints, or replays it after SIGKILL.
import { once } from "node:events";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type PgCluster } from "../../src/devtools/pg-cluster";
import { parseLsn } from "../../src/model/lsn";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { waitUntil as until } from "../support/wait";

const SMALL = { languages: 30, courses: 4, stories: 20, users: 5 };

describe("a commit the bridge decodes before PostgreSQL makes it visible", () => {
  // A synchronous standby that never comes keeps a committing transaction invisible to other sessions after
  // its commit record is flushed and decoded: the deterministic form of the race in which a re-read of the
  // live row saw the previous version and wrote null for good.
  let cluster: PgCluster;
  let env: MirrorEnv;
  beforeAll(async () => {
    cluster = await startCluster({ settings: { synchronous_standby_names: "'ghost'", synchronous_commit: "local" } });
    env = await createMirrorEnv({ seed: SMALL, adminUrl: cluster.url() });
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("still mirrors -Infinity exactly", async () => {
    const mirror = await env.start();
    await env.waitConverged();
    const writer = new pg.Client(env.db.url);
    await writer.connect();
    writer.on("notice", () => undefined); // the cancelled wait is reported as a warning
    try {
      await writer.query("SET synchronous_commit = on");
      const pending = writer.query("UPDATE language SET flag = '-Infinity'");
      await until("the commit waiting for the standby", async () => {
        const { rows } = await env.db.client.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'SyncRep'", [(writer as unknown as { processID: number }).processID]);
        return rows.length === 1;
      });
      const { rows: invisible } = await env.db.client.query("SELECT count(*)::int AS n FROM language WHERE flag = '-Infinity'");
      expect(invisible[0].n).toBe(0); // not visible to anyone else yet
      const flushed = parseLsn((await env.db.client.query("SELECT pg_current_wal_flush_lsn()::text AS l")).rows[0].l);
      await until("the bridge to apply the invisible commit", async () => (mirror.position()?.endLsn ?? 0n) >= flushed);
      await env.db.client.query("SELECT pg_cancel_backend($1)", [(writer as unknown as { processID: number }).processID]);
      await pending;
    } finally {
      await writer.end();
    }
    const ids = (await env.db.client.query("SELECT id FROM language ORDER BY id")).rows.map((r) => [r.id]);
    const docs = await env.reader.getByKeys("language", ids);
    expect(docs.map((d) => d?.flag)).toEqual(ids.map(() => -Infinity));
    await env.waitConverged();
  });
});

const FLAGS = ["'NaN'", "'Infinity'", "'-Infinity'", "NULL", "1.5", "'-0'"] as const;
const POOL = 12;
const flag = fc.constantFrom(...FLAGS);
const id = fc.integer({ min: 1, max: POOL }).map((n) => 5000 + n);
const op = fc.oneof(
  fc.record({ k: fc.constant("upsert" as const), id, flag }),
  fc.record({ k: fc.constant("flag" as const), id, flag }),
  fc.record({ k: fc.constant("rename" as const), id }), // flag untouched: the old special value must survive
  fc.record({ k: fc.constant("move" as const), id, to: id }),
  fc.record({ k: fc.constant("delete" as const), id }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
const step = fc.record({
  ops: fc.array(fc.record({ op, savepoint: fc.constantFrom("none", "release", "rollback") }), { minLength: 1, maxLength: 4 }),
  bridge: fc.constantFrom("keep", "keep", "kill", "down", "up"),
});

function opSql(o: Op, n: number): string {
  switch (o.k) {
    case "upsert":
      return `INSERT INTO language (id, name, short, flag) VALUES (${o.id}, 'p${o.id}', 's${o.id}', ${o.flag}) ON CONFLICT (id) DO UPDATE SET flag = EXCLUDED.flag`;
    case "flag":
      return `UPDATE language SET flag = ${o.flag} WHERE id = ${o.id}`;
    case "rename":
      return `UPDATE language SET name = 'r${n}_${o.id}' WHERE id = ${o.id}`;
    case "move":
      return `UPDATE language SET id = ${o.to}, short = 's${o.to}' WHERE id = ${o.id} AND NOT EXISTS (SELECT 1 FROM language WHERE id = ${o.to})`;
    case "delete":
      return `DELETE FROM language WHERE id = ${o.id}`;
  }
}

describe("randomized special values under savepoints, lag and SIGKILL", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: SMALL });
  });
  afterAll(async () => env?.close());

  it("ends with every row exact", async () => {
    let n = 0;
    let specialRows = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 10 }), async (steps) => {
        let run: ReturnType<MirrorEnv["spawnRun"]> | null = env.spawnRun();
        const c = env.db.client;
        for (const s of steps) {
          await c.query("BEGIN");
          for (const { op: o, savepoint } of s.ops) {
            if (savepoint !== "none") await c.query("SAVEPOINT sp");
            await c.query(opSql(o, n++));
            if (savepoint === "release") await c.query("RELEASE SAVEPOINT sp");
            if (savepoint === "rollback") await c.query("ROLLBACK TO SAVEPOINT sp");
          }
          await c.query("COMMIT");
          if (s.bridge === "kill" || s.bridge === "down") {
            if (run) {
              run.kill("SIGKILL");
              await once(run, "exit");
            }
            run = s.bridge === "kill" ? env.spawnRun() : null;
          } else if (s.bridge === "up" && !run) run = env.spawnRun();
        }
        run ??= env.spawnRun();
        try {
          await env.waitConverged(120_000);
          const { rows } = await env.db.client.query("SELECT count(*)::int AS n FROM language WHERE flag IN ('NaN', 'Infinity', '-Infinity')");
          specialRows += rows[0].n;
        } finally {
          run.kill("SIGKILL");
          await once(run, "exit");
        }
      }),
      { numRuns: 4, endOnFailure: true },
    );
    expect(specialRows).toBeGreaterThan(0); // the workload reached the values it is about
  });
});
