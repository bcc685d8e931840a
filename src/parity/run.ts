// One parity run: PostgreSQL snapshot + start LSN, wait for the mirror to pass it, first pass per table
// (inside the snapshot), then re-checks (outside it, all tables at once), source-side aggregate checks,
// drift details, and the verdicts recorded in Convex.
import type { Config } from "../config/schema";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import { silentLogger, type Logger } from "../log";
import { mirrorConfig, type MirrorConfig } from "../mirror-functions/config";
import { formatLsn } from "../model/lsn";
import { createMirrorReader, FAIL_FAST_RETRIES } from "../convex-client";
import { connectPg } from "../postgres";
import type { TableDef, TableSet } from "../definitions/types";
import { DEFAULT_BISECT, type BisectOptions } from "./bisect";
import { ConvexParity } from "./convex-side";
import { settleCounts } from "./counts";
import { describeDrift } from "./details";
import { firstPass, type FirstPass } from "./first-pass";
import { recheckInvariants } from "./invariant-recheck";
import { FeedTotals, storedAggregateViolations } from "./invariants";
import { assertKeyTypesSupported } from "./keys";
import { beginSnapshot, waitForMirror, type StartPoint } from "./lag";
import { PgTable } from "./pg-side";
import { serialQueries } from "./pg-serial";
import { recheckRows, type RecheckOptions } from "./recheck";
import { REPORT_KIND, REPORT_VERSION, outcomeOf, summaryOf, type Mode, type ParityReport, type TableReport } from "./report";
import { sourceDrift } from "./source";
import { formatKey } from "../model/key";
import { keyJson, shortJson } from "./values";

/** The connection part of ParityOptions, from the same configuration `run` uses. */
export function parityConnection(config: Pick<Config, "databaseUrl" | "convexUrl" | "convexAdminKey" | "slot" | "convexModule" | "retries">) {
  return { databaseUrl: config.databaseUrl, convexUrl: config.convexUrl, adminKey: config.convexAdminKey, slot: config.slot, convexModule: config.convexModule, convexRetries: config.retries };
}

export interface ParityOptions {
  databaseUrl: string;
  convexUrl: string;
  adminKey: string;
  slot: string;
  convexModule: string;
  /** Retries per Convex call for retryable failures (default as for the sink: 8). */
  convexRetries?: number;
  /** The mirrored table set (as `run` mirrors it). */
  tables: TableSet;
  /** PostgreSQL names of the tables to check; default all. */
  only?: readonly string[];
  mode: Mode;
  sample: number;
  bisect?: BisectOptions;
  /** Longest wait for the mirror to pass the start LSN. */
  maxWaitMs: number;
  recheck: Omit<RecheckOptions, "slot">;
  /** Record per-table verdicts in Convex (the history behind `status`). */
  record: boolean;
  /** Source-side drift (PostgreSQL's own aggregate columns) fails the run too. */
  failOnSourceDrift?: boolean;
  logger?: Logger;
}

export async function runParity(opts: ParityOptions): Promise<ParityReport> {
  const log = opts.logger ?? silentLogger;
  const config = mirrorConfig(opts.tables);
  const defs = config.graph.order.filter((d) => !opts.only || opts.only.includes(d.name));
  const unknown = (opts.only ?? []).filter((n) => !config.graph.byName(n));
  if (unknown.length) throw new Pg2ConvexError("CONFIG_INVALID", `--tables names tables that are not mirrored: ${unknown.join(", ")}`, { fix: `choose among: ${config.graph.order.map((d) => d.name).join(", ")}` });
  for (const d of defs) assertKeyTypesSupported(d);
  const started = Date.now();
  const runId = randomUUID();
  const readerOpts = { url: opts.convexUrl, adminKey: opts.adminKey, module: opts.convexModule, logger: log };
  // The first call fails fast (a wrong URL or key is an operator's typo); later ones ride out blips.
  const first = await createMirrorReader({ ...readerOpts, retries: Math.min(opts.convexRetries ?? FAIL_FAST_RETRIES, FAIL_FAST_RETRIES) }).state(opts.slot);
  const reader = createMirrorReader({ ...readerOpts, ...(opts.convexRetries === undefined ? {} : { retries: opts.convexRetries }) });
  const convex = new ConvexParity(reader);
  const snap = await connectPg(opts.databaseUrl, { applicationName: "pg2convex parity" });
  const live = serialQueries(
    await connectPg(opts.databaseUrl, { applicationName: "pg2convex parity" }).catch(async (e: unknown) => {
      await snap.end();
      throw e;
    }),
  );
  try {
    const state = first;
    if (state.phase === "new")
      throw new Pg2ConvexError("SLOT_MISSING", `the mirror for slot ${opts.slot} has never been filled: there is nothing to compare`, { context: { slot: opts.slot }, fix: "start pg2convex run first (or pass the right --slot)" });
    const start = await beginSnapshot(snap);
    const progress = await waitForMirror(live, convex, opts.slot, start.lsn, opts.maxWaitMs);
    log.info({ startLsn: formatLsn(start.lsn), caughtUp: progress.reached, waitedMs: progress.waitedMs }, "parity: start");
    const totals = new FeedTotals(convex);
    const passes: Array<{ def: TableDef; pass: FirstPass; ms: number }> = [];
    for (const def of defs) {
      const t0 = Date.now();
      const pass = await firstPass(opts.mode, { config, table: await PgTable.open(snap, def), convex, totals, sample: opts.sample, bisect: opts.bisect ?? DEFAULT_BISECT });
      passes.push({ def, pass, ms: Date.now() - t0 });
      log.debug({ table: def.name, candidates: pass.candidates.length, ms: Date.now() - t0 }, "parity: first pass");
    }
    await snap.query("COMMIT");
    // Full mode: stored count/sum values against the totals of the children scanned above.
    for (const { def, pass } of passes) {
      if (pass.stored.length === 0) continue;
      pass.invariants ??= { violations: [], unresolved: 0, checked: 0 };
      pass.invariants.violations.push(...(await storedAggregateViolations(config, totals, config.table(def.name), pass.stored)));
    }
    const recheck = { ...opts.recheck, slot: opts.slot };
    const tables = await Promise.all(passes.map((p) => settle(config, live, convex, start, p, recheck, opts.mode)));
    const report = assemble(opts, runId, started, start, progress, tables);
    if (opts.record) {
      await convex.record({
        runId,
        slot: opts.slot,
        mode: opts.mode,
        startedAt: started,
        finishedAt: Date.parse(report.finishedAt),
        reportVersion: REPORT_VERSION,
        tables: report.tables.map((t) => ({ table: t.table, verdict: t.verdict, drift: t.rows.driftTotal + t.invariants.driftTotal + (t.counts.status === "drift" ? 1 : 0), inFlight: t.rows.inFlight + t.invariants.inFlight, summary: summaryOf(t) })),
      });
      report.recorded = true;
    }
    return report;
  } finally {
    await snap.end().catch(() => undefined);
    await live.end().catch(() => undefined);
  }
}

async function settle(config: MirrorConfig, client: pg.ClientBase, convex: ConvexParity, start: StartPoint, p: { def: TableDef; pass: FirstPass; ms: number }, recheck: RecheckOptions, mode: Mode): Promise<TableReport> {
  const t0 = Date.now();
  const { def, pass } = p;
  const info = config.table(def.name);
  const live = await PgTable.open(client, def);
  const rows = await recheckRows(def, live, convex, start, pass.candidates, recheck);
  const inv = pass.invariants && pass.invariants.violations.length ? await recheckInvariants(config, convex, info, pass.invariants.violations, recheck) : { drift: [], inFlight: 0 };
  let counts: TableReport["counts"] = { postgres: null, convex: null, status: "not-checked" };
  if (pass.counts && mode !== "full") counts = await settleCounts(pass.counts, live, convex, recheck);
  else if (pass.counts) counts = { ...pass.counts, status: pass.counts.postgres === pass.counts.convex ? "equal" : rows.drift.some((d) => d.kind !== "mismatch") ? "drift" : "in-flight" };
  const rowDrift = await describeDrift(def, convex, rows.drift);
  const source = await sourceDrift(client, config, def);
  const drift = rows.drift.length > 0 || inv.drift.length > 0 || counts.status === "drift";
  return {
    table: def.name,
    convexTable: def.convexName,
    verdict: drift ? "drift" : "clean",
    counts,
    rows: { checked: pass.checked, drift: rowDrift, driftTotal: rows.drift.length, inFlight: rows.inFlight.length },
    invariants: {
      checked: pass.invariants?.checked ?? 0,
      drift: inv.drift.slice(0, 500).map((v) => ({ kind: v.kind, key: keyJson(v.key), keyText: formatKey(v.key), field: v.field, expected: shortJson(v.expected), actual: shortJson(v.actual) })),
      driftTotal: inv.drift.length,
      inFlight: inv.inFlight,
      unresolvedReferences: pass.invariants?.unresolved ?? 0,
    },
    source,
    durationMs: p.ms + (Date.now() - t0),
    stats: { ...pass.stats, candidates: pass.candidates.length, reordered: rows.reordered, pgRowsRead: live.rowsRead },
  };
}

function assemble(opts: ParityOptions, runId: string, started: number, start: StartPoint, progress: Awaited<ReturnType<typeof waitForMirror>>, tables: TableReport[]): ParityReport {
  const finished = Date.now();
  const sum = (f: (t: TableReport) => number) => tables.reduce((a, t) => a + f(t), 0);
  const driftTables = tables.filter((t) => t.verdict === "drift").length;
  const verdict = driftTables > 0 ? "drift" : "clean";
  const totals = {
    tables: tables.length,
    driftTables,
    rowDrift: sum((t) => t.rows.driftTotal),
    invariantDrift: sum((t) => t.invariants.driftTotal),
    inFlight: sum((t) => t.rows.inFlight + t.invariants.inFlight),
    sourceDrift: sum((t) => t.source.driftTotal),
  };
  return {
    kind: REPORT_KIND,
    version: REPORT_VERSION,
    runId,
    mode: opts.mode,
    sample: opts.mode === "sample" ? opts.sample : null,
    slot: opts.slot,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    lag: { startLsn: formatLsn(start.lsn), caughtUp: progress.reached, waitedMs: progress.waitedMs, mirrorLsn: progress.mirrorLsn === null ? null : formatLsn(progress.mirrorLsn), streaming: progress.streaming },
    verdict,
    totals,
    recorded: false,
    tables,
    outcome: outcomeOf({ verdict, totals }, { failOnSourceDrift: opts.failOnSourceDrift === true }),
  };
}
