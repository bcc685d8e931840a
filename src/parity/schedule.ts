// Parity on a timer inside the sidecar (`run --parity-every 1h`). Runs use their own PostgreSQL connections
// and Convex client, never the stream's; a failed run is logged and retried at the next tick, never thrown
// into the pipeline. Runs never overlap: the next one is timed from the end of the previous one.
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import type { Metrics } from "../observability/metrics";
import type { TableSet } from "../definitions/types";
import { Pg2ConvexError } from "../errors";
import { parityConnection, runParity } from "./run";
import type { ParityReport } from "./report";
import { summaryOf } from "./report";

export interface ParitySchedule {
  /** Settles when no run is in progress any more; no run starts after it is called. */
  stop(): Promise<void>;
  /** Most recent report (tests, health). */
  last(): ParityReport | null;
}

export function scheduleParity(opts: { config: Config; tables: TableSet; logger: Logger; metrics?: Metrics; everyMs: number }): ParitySchedule {
  const { config, logger, metrics } = opts;
  const log = logger.child({ stage: "parity" });
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let last: ParityReport | null = null;

  const once = async () => {
    try {
      const report = await runParity({
        ...parityConnection(config),
        tables: opts.tables,
        mode: config.parityMode,
        sample: 1_000,
        maxWaitMs: 60_000,
        recheck: { rounds: 3, delayMs: 2_000, waitMs: 60_000 },
        record: true,
        logger: log,
      });
      last = report;
      for (const t of report.tables) {
        const countGap = t.counts.status === "drift" ? Math.abs((t.counts.postgres ?? 0) - (t.counts.convex ?? 0)) : 0;
        metrics?.parityDrift.set({ table: t.table }, t.rows.driftTotal + t.invariants.driftTotal + countGap);
        if (t.verdict === "drift") log.error({ table: t.table, summary: summaryOf(t), runId: report.runId }, "parity drift");
      }
      log.info({ verdict: report.verdict, mode: report.mode, durationMs: report.durationMs, inFlight: report.totals.inFlight, runId: report.runId }, "parity run finished");
    } catch (e) {
      log.error({ err: e instanceof Pg2ConvexError ? e.toJSON() : String(e) }, "parity run could not run; retrying at the next tick");
    }
  };

  const arm = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = once().finally(() => {
        running = null;
        arm();
      });
    }, opts.everyMs);
    timer.unref();
  };
  arm();
  log.info({ everyMs: opts.everyMs, mode: config.parityMode }, "parity scheduled");

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    last: () => last,
  };
}
