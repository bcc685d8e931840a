// Issue 7 §4: every row that ends in pg2c_reject — planned by the bridge (DOCUMENT_TOO_LARGE) or decided inside
// the mutation (PARTIAL_WITHOUT_ROW) — is logged with table, key and LSN, counted, shown by `status`, and keeps
// /healthz degraded until a newer version of the row resolves it. The real CLI against real PostgreSQL.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { waitUntil as until } from "../support/wait";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe("rejects are visible", () => {
  let env: MirrorEnv;
  let vars: Record<string, string>;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 4, courses: 8, stories: 20, users: 5 } });
    vars = { DATABASE_URL: env.db.url, CONVEX_URL: env.convex.url, CONVEX_ADMIN_KEY: env.convex.adminKey, PG2CONVEX_SLOT: env.config.slot };
  });
  afterAll(async () => env?.close());

  const startRun = async () => {
    const run = env.spawnRun();
    const url = await until("the metrics url", async () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.output())?.[1]);
    await until("readiness", async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined));
    return { run, url };
  };
  const health = async (url: string) => (await (await fetch(`${url}/healthz`)).json()) as { status: string; unresolvedRejects: number; degraded?: string[] };
  const stop = async (run: ReturnType<MirrorEnv["spawnRun"]>) => {
    run.kill("SIGTERM");
    await new Promise((r) => run.once("exit", r));
  };

  it("logs, counts and shows both kinds, and /healthz is degraded until the row is applied again", async () => {
    let { run, url } = await startRun();
    expect(await health(url)).toMatchObject({ status: "ok", unresolvedRejects: 0 });
    // Over Convex's 1 MiB document limit: the bridge plans a reject. Then an update that leaves the (TOASTed)
    // text out: a partial upsert with no row to merge into, which the mutation rejects.
    await env.db.client.query(
      `INSERT INTO story (id, name, set_id, set_index, text, course_id, public, deleted)
       VALUES (900100, 'huge', 1, 1, (SELECT string_agg(md5(g::text || random()::text), '') FROM generate_series(1, 36000) g), 6, true, false)`,
    );
    // Its own batch first (in one batch with the update, the two would collapse into one planned reject).
    await until("the first reject", async () => ((await health(url)).unresolvedRejects === 1 ? true : undefined));
    await env.db.client.query("UPDATE story SET name = 'huge renamed' WHERE id = 900100");
    const degraded = await until("a degraded /healthz", async () => {
      const h = await health(url);
      return h.unresolvedRejects === 2 ? h : undefined;
    });
    expect(degraded.status).toBe("degraded");
    expect(degraded.degraded?.[0]).toMatch(/2 unresolved rejects/);

    const logged = run
      .output()
      .split("\n")
      .filter((l) => l.includes("row recorded as reject"))
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(logged.map((l) => [l.table, l.key, l.code])).toEqual([
      ["story", "900100", "DOCUMENT_TOO_LARGE"],
      ["story", "900100", "PARTIAL_WITHOUT_ROW"],
    ]);
    for (const l of logged) expect(l.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/pg2convex_rejects_total\{code="DOCUMENT_TOO_LARGE"\} 1/);
    expect(metrics).toMatch(/pg2convex_rejects_total\{code="PARTIAL_WITHOUT_ROW"\} 1/);
    expect(metrics).toMatch(/pg2convex_rejects_unresolved 2/);

    const json = await cli(["status", "--json"], vars);
    expect(json.code, json.out).toBe(0);
    const status = JSON.parse(json.out);
    expect(status.rejects.unresolved).toBe(2);
    expect(status.rejects.recent.map((r: { table: string; key: string; code: string }) => [r.table, r.key, r.code])).toEqual([
      ["story", "900100", "PARTIAL_WITHOUT_ROW"],
      ["story", "900100", "DOCUMENT_TOO_LARGE"],
    ]);
    expect(status.rejects.recent.map((r: { lsn: string }) => r.lsn)).toEqual([logged[1]!.lsn, logged[0]!.lsn]);
    const text = await cli(["status"], vars);
    expect(text.out).toMatch(/rejects: 2 unresolved/);
    expect(text.out).toMatch(/story 900100 {2}lsn [0-9A-F]+\/[0-9A-F]+ {2}PARTIAL_WITHOUT_ROW/);

    // A restarted bridge counts the open rejects from Convex before any new batch.
    await stop(run);
    ({ run, url } = await startRun());
    expect(await health(url)).toMatchObject({ status: "degraded", unresolvedRejects: 2 });

    // The row becomes storable and is applied whole: both rejects resolve.
    await env.db.client.query("UPDATE story SET text = 'short now', name = 'fixed' WHERE id = 900100");
    await until("a healthy /healthz", async () => ((await health(url)).unresolvedRejects === 0 ? true : undefined));
    expect(await health(url)).toMatchObject({ status: "ok" });
    await env.waitConverged();
    expect(run.output()).toMatch(/reject resolved by a newer version of its row/);
    const after = JSON.parse((await cli(["status", "--json"], vars)).out);
    expect(after.rejects).toEqual({ unresolved: 0, recent: [] });
    expect((await cli(["status"], vars)).out).toMatch(/rejects: none unresolved/);
    await stop(run);
  });
});
