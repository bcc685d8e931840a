// The sidecar's side of the control plane: every interval it reports its heartbeat, lag and failures to
// Convex (reportHealth), which rolls back unfit tables in the same transaction; the loop turns what came
// back into alerts. While Convex is unreachable the loop alerts once; the report that gets through after
// the outage carries its length, so the tables cut over are rolled back then (reads already fell back to
// PostgreSQL meanwhile: the heartbeat went stale).
import type { Logger } from "../log";
import type { ConvexClient } from "../convex-client";
import type { Thresholds } from "../mirror-functions/control/rules";
import type { HealthReportResult } from "../mirror-functions/control/health-report";
import type { AlertSink } from "./alerts";

export interface HealthLoopOptions {
  /** A client without retries: the next tick is the retry, and a stale heartbeat is itself the signal. */
  client: ConvexClient;
  slot: string;
  thresholds: Thresholds;
  intervalMs: number;
  lagSeconds: () => Promise<number>;
  /** Failed Convex attempts so far (a counter); the loop reports the increase per interval. */
  failures: () => Promise<number>;
  alerts: AlertSink;
  /** Alert webhooks configured (reported, for the checklist's "retry/alerts configured"). */
  alertWebhooks: number;
  /** Whether the mirror streams now; no heartbeat goes out otherwise (it goes stale, reads fall back). */
  live: () => boolean;
  logger: Logger;
}

export interface HealthLoop {
  stop(): Promise<void>;
}

export function startHealthLoop(opts: HealthLoopOptions): HealthLoop {
  let stopped = false;
  const startedAt = Date.now();
  let outageSince: number | null = null;
  let lastFailures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    if (!opts.live()) return;
    const failures = await opts.failures();
    const args = {
      slot: opts.slot,
      lagSeconds: Math.max(0, Math.round(await opts.lagSeconds())),
      applyFailures: Math.max(0, failures - lastFailures),
      thresholds: opts.thresholds,
      startedAt,
      alertWebhooks: opts.alertWebhooks,
      ...(outageSince !== null ? { outageSeconds: (Date.now() - outageSince) / 1000 } : {}),
    };
    try {
      const r = await opts.client.mutation<HealthReportResult>("reportHealth", args);
      lastFailures = failures;
      if (outageSince !== null) opts.logger.info({ outageSeconds: args.outageSeconds }, "control plane: Convex reachable again");
      outageSince = null;
      await opts.alerts.resolveExcept("convex-unreachable", new Set());
      for (const rb of r.rolledBack) await opts.alerts.event({ kind: "auto-rollback", table: rb.table, message: `reads of ${rb.table} moved back to PostgreSQL: ${rb.reasons.join("; ")}` });
    } catch (e) {
      if (outageSince === null) {
        outageSince = Date.now();
        opts.logger.warn({ err: (e as Error).message }, "control plane: cannot report the heartbeat to Convex; reads fall back to PostgreSQL once it is stale");
      }
      if (Date.now() - outageSince > opts.thresholds.staleAfterMs)
        await opts.alerts.fire({ kind: "convex-unreachable", table: "*", message: `the sidecar cannot reach Convex since ${new Date(outageSince).toISOString()}: reads fall back to PostgreSQL` });
    }
  };
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, opts.intervalMs);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
