// `pg2convex drill --table T [--percent P] [--bound DURATION]`: the rollback drill. Moves a canary share of
// T's reads to Convex, rolls them back, restores the flag as it was, and checks at each step that the
// app-facing answer for a probe caller changed within the bound; a passed drill records the checklist's
// "rollback tested" with its id and timings. Gates: control/drill.ts (canary share before the parity gate,
// only while the mirror is fit). Exit codes: 0 passed, 1 refused or not within the bound, 2 could not run.
import { randomBytes } from "node:crypto";
import { loadConfig } from "../../config/load";
import { parseDuration } from "../../config/schema";
import { createConvexClient } from "../../convex-client";
import { Pg2ConvexError } from "../../errors";
import { bucketOf, type Phase, type Source } from "../../mirror-functions/control/rules";
import { actorOf, controlRefusal, requireTable } from "./control-args";
import { probeCaller, startWatcher, type Observation } from "./drill-watch";

const HELP = `usage: pg2convex drill --table T [--percent P] [--bound DURATION] [connection options as for run]

Rehearses a rollback of table T's reads: raises T's read flag to P% (default 5; a canary share up to 10% is
allowed before the parity gate, but only while the mirror is fit: fresh sidecar heartbeat, lag under
--max-lag, no dead letters, no drift), rolls it back to 0%, then restores the flag exactly as it was.
At each step a probe caller's answer, through the public readFrom query and the createReadRouter helper,
must change within --bound (default 2s). A passed drill records "rollback tested" in the checklist.
Exit codes: 0 passed, 1 refused or an answer did not change within the bound (the flag is restored anyway),
2 could not run.`;

const fmt = (o: Observation) => `${o.expected}: readFrom ${o.readFromMs ?? "never"} ms, helper ${o.helperMs ?? "never"} ms`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config, extra } = loadConfig(argv, process.env, { table: { type: "string" }, percent: { type: "string" }, bound: { type: "string" } });
  const table = requireTable(extra);
  const share = extra.percent === undefined ? 5 : Number(extra.percent);
  if (!Number.isInteger(share) || share < 1 || share > 100) throw new Pg2ConvexError("CONFIG_INVALID", "--percent must be an integer from 1 to 100", { fix: "e.g. pg2convex drill --table story --percent 5" });
  const boundMs = typeof extra.bound === "string" ? parseDuration(extra.bound) : 2_000;
  if (boundMs === null || boundMs <= 0) throw new Pg2ConvexError("CONFIG_INVALID", "--bound must be a duration like 500ms, 2s or 1m", { fix: "e.g. --bound 2s" });
  const client = createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: 2 });
  const drillId = `drill-${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
  const base = { table, drillId, actor: actorOf() };
  const step = <T>(action: string, more: Record<string, unknown> = {}) => client.mutation<T>("drill", { ...base, action, ...more });

  // The watcher (and the app's helper inside it) is up before the flag moves, so timings start at the flip.
  const before = (await client.query<{ tables: { percent: number }[] }>("migrationStatus", { tables: [table], events: 0 })).tables[0]?.percent ?? 0;
  const probe = share > before ? probeCaller(table, before, share) : probeCaller(table, 0, before);
  const watcher = await startWatcher({ url: config.convexUrl, module: config.convexModule, table, probe });
  let started: { percent: number; previous: { percent: number; phase: Phase } };
  let t = Date.now();
  try {
    started = await step("start", { percent: share, gateDays: config.gateDays });
  } catch (e) {
    watcher.close();
    const refusal = controlRefusal(e, "DRILL_REFUSED");
    if (!refusal) throw e;
    console.error(`pg2convex drill: ${refusal.message}:\n${refusal.unmet.map((u) => `  - ${u}`).join("\n")}\nfix: make the mirror fit first (pg2convex status shows why it is not), or drill at a share of 10% or less`);
    return 1;
  }
  const { previous, percent } = started;
  // The probe's bucket lies between the previous share and the drill's (or inside the previous share when the
  // drill did not raise it): its answer turns convex, then postgres, then back to what it was.
  const afterRestore: Source = bucketOf(table, probe) < previous.percent ? "convex" : "postgres";
  const seen: { step: string; o: Observation }[] = [];
  let restored = { restored: false, why: "not reached" };
  try {
    seen.push({ step: `flag ${previous.percent}% → ${percent}%`, o: await watcher.observe("convex", t, boundMs) });
    t = Date.now();
    await step("rollback");
    seen.push({ step: `rollback ${percent}% → 0%`, o: await watcher.observe("postgres", t, boundMs) });
    t = Date.now();
    restored = await step<{ restored: boolean; why: string }>("restore", { previous });
    if (restored.restored) seen.push({ step: `restore → ${previous.percent}%`, o: await watcher.observe(afterRestore, t, boundMs) });
  } finally {
    // Whatever happened above, the flag goes back as it was (unless someone else changed it meanwhile).
    if (!restored.restored && restored.why === "not reached") restored = await step<{ restored: boolean; why: string }>("restore", { previous }).catch((e: Error) => ({ restored: false, why: e.message }));
    watcher.close();
  }
  const passed = restored.restored && seen.every((s) => s.o.ok);
  const proof = `probe ${probe}, bound ${boundMs} ms; ${seen.map((s) => `${s.step}: ${fmt(s.o)}`).join("; ")}${restored.restored ? "" : `; not restored: ${restored.why}`}`;
  await step("finish", { passed, proof });
  if (passed) {
    console.log(`${table}: drill ${drillId} passed; flag restored to ${previous.percent}% (phase ${previous.phase}); "rollback tested" recorded\n  ${proof}`);
    return 0;
  }
  const bad = seen.filter((s) => !s.o.ok).map((s) => `  - ${s.step}: the answer did not turn ${s.o.expected} within ${boundMs} ms (${fmt(s.o)})`);
  if (!restored.restored) bad.push(`  - the flag was not restored: ${restored.why}`);
  console.error(
    `pg2convex drill: drill ${drillId} of ${table} FAILED:\n${bad.join("\n")}\nflag: ${restored.restored ? `restored to ${previous.percent}%` : "left as it is"}; "rollback tested" not recorded\nfix: check that the app-facing answer can change (sidecar heartbeat fresh, the helper's URL reachable), or allow a longer --bound`,
  );
  return 1;
}
