// Issue 10 (control plane, first part): one table walked through its read cut-over on the real stack
// (PostgreSQL + wal2json, the real `run` process, the stand-in over HTTP). Cut-over refused before the parity
// gate and accepted after it (gate shortened); the app-facing answer through the public query and the
// TypeScript helper; a dead letter rolls reads back by itself with an alert to a local webhook receiver, and
// recovery does not flip them forward; killing the sidecar turns the answer to postgres. Then the rollback drill
// (passes, restores the flag exactly, fails honestly on a too-tight bound, refused on an unfit mirror), Convex
// unreachable from the sidecar (through a TCP proxy: the answer falls back on the stale heartbeat, an alert,
// then the rollback once it is reachable) and parity drift rolling reads back, and the checklist's proofs up to
// `inventory --record`.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { startTcpProxy } from "../support/tcp-proxy";
import { TAMPER_CONFIRMATION } from "../support/convex-tamper";
import { waitUntil } from "../support/wait";
import { createReadRouter, type ReadRouter } from "../../src/convex-client/read-router";
import { bucketOf } from "../../src/mirror-functions/control/rules";
import type { MigrationRow } from "../../src/mirror-functions/control/status";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, timeout: 90_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });
}

interface Hook {
  source: string;
  state: string;
  kind: string;
  table: string;
  message: string;
}

describe("migration control plane: read flags, gates, automatic rollback", () => {
  let env: MirrorEnv;
  let vars: Record<string, string>;
  let receiver: Server;
  let hookUrl: string;
  const hooks: Hook[] = [];
  let router: ReadRouter;
  const callers = Array.from({ length: 200 }, (_, i) => `user-${i}`);
  const sidecarArgs = () => ["--control-every", "300ms", "--stale-after", "3s", "--alert-webhook", hookUrl];

  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 3, courses: 4, stories: 30, users: 5 } });
    vars = { DATABASE_URL: env.db.url, CONVEX_URL: env.convex.url, CONVEX_ADMIN_KEY: env.convex.adminKey, PG2CONVEX_SLOT: env.config.slot };
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        hooks.push(JSON.parse(body) as Hook);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    router = createReadRouter({ url: env.convex.url, tables: ["story"], pollMs: 200 });
  });
  afterAll(async () => {
    router?.close();
    await new Promise((r) => receiver?.close(r));
    await env?.close();
  });

  const publicClient = () => new ConvexHttpClient(env.convex.url); // no admin key: what an app's client has
  const readFrom = (caller: string) => publicClient().query(makeFunctionReference<"query">("mirror:readFrom"), { table: "story", caller }) as Promise<{ source: string; reason: string }>;
  const migration = async (table: string) => (await env.reader.client.query<{ tables: MigrationRow[] }>("migrationStatus", { tables: [table], events: 3 })).tables[0]!;
  const convexShare = () => callers.filter((c) => router.source("story", c) === "convex");
  const expectedShare = (percent: number) => callers.filter((c) => bucketOf("story", c) < percent);

  it("walks story from mirror to a 50% cut-over, rolls back by itself on a dead letter, and falls back when the sidecar dies", async () => {
    let run = env.spawnRun(sidecarArgs());
    await env.waitConverged();
    await router.ready();
    expect(convexShare()).toEqual([]);

    // Before any parity run the gate is not met: refused, naming the gate; nothing changed.
    const early = await cli(["cutover", "--table", "story", "--percent", "50"], vars);
    expect(early.code, early.out + early.err).toBe(1);
    expect(early.err).toMatch(/cut-over of story to 50% refused:\n {2}- parity is not green/);
    expect((await readFrom("user-1")).source).toBe("postgres");

    // A clean parity run starts the streak, but the default gate is 7 days.
    const parity = await cli(["parity", "--tables", "story", "--mode", "sample", "--recheck-delay", "100ms", "--max-wait", "10s"], vars);
    expect(parity.code, parity.out + parity.err).toBe(0);
    const gated = await cli(["cutover", "--table", "story", "--percent", "50"], vars);
    expect(gated.code).toBe(1);
    expect(gated.err).toMatch(/parity green for 0\.00 d, the gate is 7 d/);

    // The gate shortened (as a team would for a rehearsal): accepted.
    const ok = await cli(["cutover", "--table", "story", "--percent", "50", "--gate-days", "0"], vars);
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(/story: reads 50% from Convex \(phase canary\)/);
    const want = expectedShare(50);
    expect(want.length).toBeGreaterThan(50);
    expect(want.length).toBeLessThan(150);
    await waitUntil("the helper to see the flag", () => (convexShare().length === want.length ? true : undefined), 10_000);
    expect(convexShare()).toEqual(want);
    expect((await readFrom(want[0]!)).source).toBe("convex");
    expect((await readFrom(callers.find((c) => !want.includes(c))!)).source).toBe("postgres");

    // A dead letter (a row over Convex's document limit): reads go back to PostgreSQL by themselves, with an alert.
    await env.db.client.query(
      `INSERT INTO story (id, name, set_id, set_index, text, course_id, public, deleted)
       VALUES (900200, 'huge', 1, 1, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 36000) g), (SELECT min(id) FROM course), true, false)`,
    );
    const alert = await waitUntil("the rollback alert", () => hooks.find((h) => h.kind === "auto-rollback" && h.table === "story"), 30_000);
    expect(alert).toMatchObject({ source: "pg2convex", state: "firing" });
    expect(alert.message).toMatch(/reads of story moved back to PostgreSQL: 1 unresolved dead letter/);
    await waitUntil("the helper to fall back", () => (convexShare().length === 0 ? true : undefined), 5_000);
    const status = JSON.parse((await cli(["status", "--json"], vars)).out);
    const story = status.migration.tables.find((t: { table: string }) => t.table === "story");
    expect(story).toMatchObject({ percent: 0, phase: "mirror", deadLetters: 1 });
    expect(story.events[0]).toMatchObject({ kind: "auto-rollback", actor: "pg2convex (automatic)" });

    // The dead-letter queue lists it with table, readable key, LSN and code; show gives the reason.
    const list = await cli(["dlq", "list", "--json"], vars);
    expect(list.code, list.err).toBe(0);
    const entries = JSON.parse(list.out) as { _id: string; table: string; key: string; lsn: string; code: string }[];
    expect(entries.map((e) => [e.table, e.key, e.code])).toEqual([["story", "900200", "DOCUMENT_TOO_LARGE"]]);
    expect(entries[0]!.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const shown = await cli(["dlq", "show", entries[0]!._id], vars);
    expect(shown.out).toMatch(/reason: row is \d+ bytes as a stored document; Convex stores at most 1048576 bytes per document/);

    // The row fixed in PostgreSQL resolves the dead letter; reads stay on PostgreSQL until someone cuts over.
    await env.db.client.query("UPDATE story SET text = 'small again' WHERE id = 900200");
    await waitUntil("the dead letter resolved", async () => ((await migration("story")).deadLetters === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(convexShare()).toEqual([]);

    // Cut over again, then kill the sidecar: its heartbeat goes stale and every answer turns to postgres.
    expect((await cli(["cutover", "--table", "story", "--percent", "100", "--gate-days", "0"], vars)).code).toBe(0);
    await waitUntil("full cut-over seen", () => (convexShare().length === callers.length ? true : undefined), 10_000);
    run.kill("SIGKILL");
    await new Promise((r) => run.once("exit", r));
    await waitUntil("the fallback after the sidecar died", () => (convexShare().length === 0 ? true : undefined), 10_000);
    expect((await readFrom("user-1")).reason).toMatch(/sidecar heartbeat \d+ s old/);

    // The sidecar back: the first heartbeat after the gap rolls reads back (recovery never flips them forward).
    run = env.spawnRun(sidecarArgs());
    const after = await waitUntil("the rollback after the gap", async () => {
      const t = await migration("story");
      return t.percent === 0 && t.events[0]!.kind === "auto-rollback" ? t : undefined;
    });
    expect(after.events[0]!.detail).toMatch(/no heartbeat for \d+ s \(sidecar down or Convex unreachable\)/);
    expect(convexShare()).toEqual([]);
    run.kill("SIGTERM");
    await new Promise((r) => run.once("exit", r));
  });

  it("dlq resolve marks an entry resolved by hand, recording who and why", async () => {
    const run = env.spawnRun(sidecarArgs());
    await env.db.client.query(
      `INSERT INTO story (id, name, set_id, set_index, text, course_id, public, deleted)
       VALUES (900300, 'huge', 1, 1, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 36000) g), (SELECT min(id) FROM course), true, false)`,
    );
    const entry = await waitUntil("the dead letter", async () => (JSON.parse((await cli(["dlq", "list", "--json", "--table", "story"], vars)).out) as { _id: string; key: string }[]).find((e) => e.key === "900300"));
    const resolved = await cli(["dlq", "resolve", entry._id, "--reason", "accepted: text is archived elsewhere"], { ...vars, PG2CONVEX_ACTOR: "ops" });
    expect(resolved.code, resolved.err).toBe(0);
    expect(JSON.parse((await cli(["dlq", "list", "--json"], vars)).out)).toEqual([]);
    const shown = JSON.parse((await cli(["dlq", "show", entry._id, "--json"], vars)).out);
    expect(shown).toMatchObject({ resolvedVia: "manual", resolvedNote: "ops: accepted: text is archived elsewhere" });
    expect((await migration("story")).events[0]).toMatchObject({ kind: "dead-letter-resolved", actor: "ops" });
    run.kill("SIGTERM");
    await new Promise((r) => run.once("exit", r));
  });

  it("rollback is never refused, and a forced cut-over records who overrode which gate and why", async () => {
    const forced = await cli(["cutover", "--table", "course", "--percent", "10", "--force", "--reason", "rehearsal"], { ...vars, PG2CONVEX_ACTOR: "ci-job-42" });
    expect(forced.code, forced.out + forced.err).toBe(0);
    expect(forced.out).toMatch(/FORCED past: parity is not green/);
    const back = await cli(["rollback", "--table", "course", "--reason", "done rehearsing"], { ...vars, PG2CONVEX_ACTOR: "ci-job-42" });
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/course: reads 0% from Convex \(were 10%\)/);
    const s = JSON.parse((await cli(["status", "--json"], vars)).out);
    const course = s.migration.tables.find((t: { table: string }) => t.table === "course");
    expect(course.events.map((e: { kind: string; actor: string }) => [e.kind, e.actor])).toEqual([
      ["rollback", "ci-job-42"],
      ["cutover-forced", "ci-job-42"],
      ["checklist", "pg2convex run"], // backfillComplete, recorded when the backfill ended
    ]);
    expect(course.events[1].detail).toMatch(/FORCED past: .*parity is not green.*\(reason: rehearsal\)/);
  });
  const item = (t: MigrationRow, name: string) => t.checklist.find((c) => c.item === name)!;
  const stopRun = async (run: ReturnType<MirrorEnv["spawnRun"]>) => {
    run.kill("SIGTERM");
    await new Promise((r) => run.once("exit", r));
  };

  it("drill: moves a canary share to Convex and back within the bound, restores the flag exactly, and records rollback tested", async () => {
    const run = env.spawnRun(sidecarArgs());
    // The row whose dead letter an earlier test resolved by hand (accepted as missing in Convex) goes away.
    await env.db.client.query("DELETE FROM story WHERE id = 900300");
    await env.waitConverged();
    await waitUntil("a fit mirror", async () => ((await migration("story")).unfit.length === 0 ? true : undefined), 20_000);
    // Checklist proofs the sidecar records by itself: the backfill's end, and alerts configured (live sidecar with a webhook).
    const t0 = await migration("story");
    expect(item(t0, "backfillComplete").proof).toMatch(/^backfill of slot \S+ finished \(snapshot [0-9A-F]+\/[0-9A-F]+/);
    expect(item(t0, "alertsConfigured").proof).toMatch(/live sidecar runs with 1 alert webhook/);
    const before = { percent: t0.percent, phase: t0.phase };

    // A share above the canary (10%) needs the cut-over gates: refused, nothing changed.
    const big = await cli(["drill", "--table", "story", "--percent", "50", "--gate-days", "30"], vars);
    expect(big.code, big.out + big.err).toBe(1);
    expect(big.err).toMatch(/drill of story at 50% refused:\n {2}- parity/);

    const drill = await cli(["drill", "--table", "story", "--percent", "5", "--bound", "20s"], { ...vars, PG2CONVEX_ACTOR: "ops" });
    expect(drill.code, drill.out + drill.err).toBe(0);
    const id = /drill (drill-\S+) passed/.exec(drill.out)![1]!;
    expect(drill.out).toMatch(/flag 0% → 5%: convex: readFrom \d+ ms, helper \d+ ms; rollback 5% → 0%: postgres: readFrom \d+ ms, helper \d+ ms; restore → 0%: postgres/);
    const t1 = await migration("story");
    expect({ percent: t1.percent, phase: t1.phase }).toEqual(before);
    expect(item(t1, "rollbackTested").proof).toContain(`drill ${id}: probe pg2convex-drill-probe-`);
    const events = (await env.reader.client.query<{ tables: MigrationRow[] }>("migrationStatus", { tables: ["story"], events: 5 })).tables[0]!.events;
    expect(events.map((e) => [e.kind, e.actor])).toEqual([["checklist", "ops"], ["drill-restore", "ops"], ["drill-rollback", "ops"], ["drill-start", "ops"], expect.anything()]);

    // With reads already at 20% the drill rolls them back and restores exactly 20% (phase canary).
    expect((await cli(["parity", "--tables", "story", "--mode", "sample", "--recheck-delay", "100ms", "--max-wait", "10s"], vars)).code).toBe(0);
    expect((await cli(["cutover", "--table", "story", "--percent", "20", "--gate-days", "0"], vars)).code).toBe(0);
    const again = await cli(["drill", "--table", "story", "--bound", "20s"], vars);
    expect(again.code, again.out + again.err).toBe(0);
    expect(again.out).toMatch(/flag restored to 20% \(phase canary\)/);
    const proof = item(await migration("story"), "rollbackTested").proof;
    expect(proof).toContain(`drill ${/drill (drill-\S+) passed/.exec(again.out)![1]!}`);
    expect(again.out).toMatch(/rollback 20% → 0%: postgres: .*restore → 20%: convex: readFrom \d+ ms/);
    expect(await migration("story")).toMatchObject({ percent: 20, phase: "canary" });

    // An answer cannot change through HTTP within 1 ms: the drill fails, says so, and still restores the flag.
    const tooTight = await cli(["drill", "--table", "story", "--bound", "1ms"], vars);
    expect(tooTight.code, tooTight.out + tooTight.err).toBe(1);
    expect(tooTight.err).toMatch(/FAILED:\n {2}- .*the answer did not turn (convex|postgres) within 1 ms/);
    expect(tooTight.err).toMatch(/flag: restored to 20%; "rollback tested" not recorded/);
    const t2 = await migration("story");
    expect(t2).toMatchObject({ percent: 20, phase: "canary" });
    expect(item(t2, "rollbackTested").proof).toBe(proof);
    expect(t2.events[0]).toMatchObject({ kind: "drill-failed" });

    // A mirror that is not fit (the sidecar dead, its heartbeat stale) cannot be drilled.
    expect((await cli(["rollback", "--table", "story"], vars)).code).toBe(0);
    await stopRun(run);
    await waitUntil("the heartbeat to go stale", async () => ((await migration("story")).unfit.some((u) => /heartbeat/.test(u)) ? true : undefined), 20_000);
    const stale = await cli(["drill", "--table", "story"], vars);
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/drill of story at 5% refused:\n {2}- sidecar heartbeat \d+ s old/);

    const status = await cli(["status"], vars);
    expect(status.out).toMatch(/\[x\] rollbackTested since \S+: drill drill-/);
    expect(status.out).toMatch(/\[ \] postgresWritesRemoved/);
  });

  it("Convex unreachable and drift roll reads back by themselves with alerts; inventory --record closes the checklist", async () => {
    const proxy = await startTcpProxy({ host: new URL(env.convex.url).hostname, port: Number(new URL(env.convex.url).port) });
    const mark = hooks.length;
    const run = env.spawnRun([...sidecarArgs(), "--convex-url", proxy.via(env.convex.url)]);
    await env.waitConverged();
    await waitUntil("a fit mirror", async () => ((await migration("story")).unfit.length === 0 ? true : undefined), 20_000);
    // The sidecar resumed from its checkpoint (not its first start): a clean full parity run proves idempotency.
    expect((await cli(["parity", "--tables", "story", "--mode", "full"], vars)).code).toBe(0);
    expect(item(await migration("story"), "idempotencyTested").proof).toMatch(/clean after the sidecar of slot \S+ resumed from its checkpoint/);
    expect((await cli(["cutover", "--table", "story", "--percent", "100", "--gate-days", "0"], vars)).code).toBe(0);
    await waitUntil("full cut-over seen", () => (convexShare().length === callers.length ? true : undefined), 10_000);

    // Convex unreachable from the sidecar: it cannot write the rollback, but its heartbeat goes stale, so the
    // app-facing answer turns to postgres anyway; the sidecar alerts that it is cut off.
    await proxy.refuse();
    await waitUntil("the fallback while Convex is unreachable", () => (convexShare().length === 0 ? true : undefined), 20_000);
    expect((await readFrom("user-1")).reason).toMatch(/sidecar heartbeat \d+ s old/);
    const cut = await waitUntil("the unreachable alert", () => hooks.slice(mark).find((h) => h.kind === "convex-unreachable" && h.state === "firing"), 30_000);
    expect(cut.message).toMatch(/cannot reach Convex since/);
    // Reachable again: the first report rolls reads back (recovery never flips them forward), alerts, and the
    // unreachable alert resolves.
    await proxy.accept();
    const rb = await waitUntil("the rollback alert after the outage", () => hooks.slice(mark).find((h) => h.kind === "auto-rollback" && h.table === "story"), 30_000);
    expect(rb.message).toMatch(/reads of story moved back to PostgreSQL: .*(no heartbeat for \d+ s|Convex unreachable from the sidecar)/);
    await waitUntil("the recovery notice", () => hooks.slice(mark).find((h) => h.kind === "convex-unreachable" && h.state === "resolved"), 10_000);
    expect(await migration("story")).toMatchObject({ percent: 0 });
    // The helper's copy follows within its poll (a request answered just before the rollback may still be held).
    await waitUntil("the helper to see the rollback", () => (convexShare().length === 0 ? true : undefined), 5_000);

    // Drift (a document changed behind the bridge's back) found by parity: reads back to PostgreSQL at once,
    // and the next heartbeat rolls the flag back with an alert.
    expect((await cli(["cutover", "--table", "story", "--percent", "100", "--gate-days", "0"], vars)).code).toBe(0);
    await waitUntil("full cut-over seen", () => (convexShare().length === callers.length ? true : undefined), 10_000);
    const id = Number((await env.db.client.query("SELECT min(id) AS id FROM story")).rows[0].id);
    await env.convex.client.mutation(makeFunctionReference<"mutation">("mirror:debugTamper") as any, { confirm: TAMPER_CONFIRMATION, table: "story", key: [id], action: "patch", fields: { name: "tampered" } });
    const drifted = await cli(["parity", "--tables", "story", "--mode", "full"], vars);
    expect(drifted.code, drifted.out).toBe(1);
    // (The sidecar may already have rolled the flag back: the fitness verdict itself is what must say drift.)
    expect((await migration("story")).unfit).toContain("table drifted (parity or schema change)");
    const driftAlert = await waitUntil("the drift rollback alert", () => hooks.slice(mark).filter((h) => h.kind === "auto-rollback" && h.table === "story" && /drifted/.test(h.message))[0], 30_000);
    expect(driftAlert.state).toBe("firing");
    expect(await migration("story")).toMatchObject({ percent: 0, phase: "mirror" });
    await waitUntil("the helper to see the drift rollback", () => (convexShare().length === 0 ? true : undefined), 5_000);
    // Put the document back as PostgreSQL has it: a clean run makes parity green again.
    const original = (await env.db.client.query("SELECT name FROM story WHERE id = $1", [id])).rows[0].name as string;
    await env.convex.client.mutation(makeFunctionReference<"mutation">("mirror:debugTamper") as any, { confirm: TAMPER_CONFIRMATION, table: "story", key: [id], action: "patch", fields: { name: original } });
    expect((await cli(["parity", "--tables", "story", "--mode", "full"], vars)).code).toBe(0);
    // Cut over fully, then the last checklist item: an inventory that still finds a write site refuses…
    expect((await cli(["cutover", "--table", "story", "--percent", "100", "--gate-days", "0"], vars)).code).toBe(0);
    expect(await migration("story")).toMatchObject({ phase: "cutover" });
    const app = mkdtempSync(join(tmpdir(), "pg2c-app-"));
    writeFileSync(join(app, "story.ts"), 'export const save = (db: any, id: number) => db.query("UPDATE story SET name = $2 WHERE id = $1", [id, "x"]);\n');
    const dirty = await cli(["inventory", app, "--tables", "story", "--record"], vars);
    expect(dirty.code, dirty.out + dirty.err).toBe(1);
    expect(dirty.err).toMatch(/story still has write sites; "PostgreSQL write path removed" not recorded:\n {2}- \S*story\.ts:1 UPDATE/);
    // …and one with only reads left records it and decommissions the table's PostgreSQL write path.
    writeFileSync(join(app, "story.ts"), 'export const load = (db: any, id: number) => db.query("SELECT name FROM story WHERE id = $1", [id]);\n');
    const clean = await cli(["inventory", app, "--tables", "story", "--record"], vars);
    expect(clean.code, clean.out + clean.err).toBe(0);
    const done = await migration("story");
    expect(done.phase).toBe("decommissioned");
    expect(item(done, "postgresWritesRemoved").proof).toMatch(/1 read story, none writes it/);

    // Decommissioned: PostgreSQL's copy no longer changes, so nothing sends reads back to it by itself — not a
    // drift (the app now writes Convex alone), not a dead sidecar — and a rollback drill is refused.
    const driftAlerts = () => hooks.slice(mark).filter((h) => h.kind === "auto-rollback" && h.table === "story").length;
    const alertsBefore = driftAlerts();
    await env.convex.client.mutation(makeFunctionReference<"mutation">("mirror:debugTamper") as any, { confirm: TAMPER_CONFIRMATION, table: "story", key: [id], action: "patch", fields: { name: "written in Convex only" } });
    expect((await cli(["parity", "--tables", "story", "--mode", "full"], vars)).code).toBe(1);
    await stopRun(run);
    await waitUntil("the heartbeat to go stale", async () => ((await migration("story")).unfit.some((u) => /heartbeat/.test(u)) ? true : undefined), 20_000);
    expect(await migration("story")).toMatchObject({ percent: 100, phase: "decommissioned" });
    expect(await readFrom("user-1")).toMatchObject({ source: "convex", reason: expect.stringMatching(/decommissioned/) });
    expect(convexShare()).toHaveLength(callers.length);
    expect(driftAlerts()).toBe(alertsBefore);
    const drill = await cli(["drill", "--table", "story"], vars);
    expect(drill.code).toBe(1);
    expect(drill.err).toMatch(/decommissioned/);
    await proxy.close();
  });
});
