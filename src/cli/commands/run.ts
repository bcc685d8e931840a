// `pg2convex run`: the sidecar. Backfills if needed, then streams; stops gracefully on SIGTERM/SIGINT.
import { loadConfig, secretsOf } from "../../config/load";
import { createLogger, scrubSecrets } from "../../log";
import { createMetrics } from "../../observability/metrics";
import { createHealthReasons, startHealthServer, type HealthState } from "../../observability/health";
import { createOutageTracker } from "../../observability/outage";
import { superviseMirror } from "../../pipeline/supervisor";
import type { RetryOptions } from "../../convex-client/retry";
import { leadAndStream } from "../../leadership/lead-loop";
import type { SupervisedMirror } from "../../pipeline/supervisor";
import { loadTableSet, selectTables } from "../../definitions/select";
import { describeError, describeErrorLine, Pg2ConvexError } from "../../errors";
import { scheduleParity, type ParitySchedule } from "../../parity/schedule";
import { startControlPlane } from "./run-control";
import { dashboardFor } from "./run-dashboard";

const HELP = `usage: pg2convex run [options]

Mirrors the configured PostgreSQL tables into Convex: backfills on first start (or resumes an interrupted
backfill), then streams changes from the replication slot.

Transient failures are ridden out in-process: PostgreSQL down, restarting or failing over (the bridge reconnects,
proves continuity again and resumes from the Convex checkpoint) and Convex unreachable, overloaded (429/503),
failing with 5xx or timing out (each call is retried) — with capped exponential backoff and jitter, for as long
as they last (or --max-outage); /healthz says "degraded" with the reason meanwhile. Only a permanent error
(authentication, definitions that do not match, configuration, a continuity or mirror refusal) ends it: exit 1
with one line on stderr saying what happened and how to fix it.

SIGTERM/SIGINT: while streaming, the in-flight batch is finished and the stream closed; the process exits
within --shutdown-timeout (default 30 s) whatever happens. During start-up, backfill or a reconnect wait it
exits at once (the next start resumes). A second signal exits at once.

Options (each also read from the environment variable shown):
  --database-url URL            DATABASE_URL
  --convex-url URL              CONVEX_URL
  --admin-key KEY               CONVEX_ADMIN_KEY (deploy or admin key: the mirror functions are internal)
  --slot NAME                   PG2CONVEX_SLOT (default pg2convex)
  --tables a,b,c                PG2CONVEX_TABLES (default: every defined table)
  --tables-module PATH          PG2CONVEX_TABLES_MODULE (default: the built-in reference schema)
  --convex-module NAME          PG2CONVEX_CONVEX_MODULE (default mirror: convex/mirror.ts)
  --flush-interval-ms N         PG2CONVEX_FLUSH_INTERVAL_MS (default 200): lag and checkpoint-only tick
  --max-batch-ops N             PG2CONVEX_MAX_BATCH_OPS (default: Convex limits)
  --backfill-rows-per-second N  PG2CONVEX_BACKFILL_ROWS_PER_SECOND (default 0 = unthrottled)
  --backfill-chunk-rows N       PG2CONVEX_BACKFILL_CHUNK_ROWS (default 1000)
  --backfill-concurrency N      PG2CONVEX_BACKFILL_CONCURRENCY (default 8): backfill pages in flight at once
  --max-outage DURATION         PG2CONVEX_MAX_OUTAGE (e.g. 15m; default: retry for ever): exit 1 once PostgreSQL
                                or Convex has been failing for longer
  --shutdown-timeout DURATION   PG2CONVEX_SHUTDOWN_TIMEOUT (default 30s): bound on a graceful stop
  --metrics-port N              PG2CONVEX_METRICS_PORT (default 9464; 0 = any free port)
  --metrics-host HOST           PG2CONVEX_METRICS_HOST (default 127.0.0.1); the port also serves the read-only
                                migration dashboard at /dashboard (and /dashboard.json)
  --log-level LEVEL             LOG_LEVEL (default info)
  --parity-every DURATION       PG2CONVEX_PARITY_EVERY (e.g. 1h, 30m; default off): run parity on this period
                                inside the sidecar (own connections), recording verdicts and the
                                pg2convex_parity_drift_rows{table} metric; the first run after one period
  --parity-mode MODE            PG2CONVEX_PARITY_MODE (count, sample or full; default sample)
  --heartbeat-every DURATION    PG2CONVEX_HEARTBEAT_EVERY (default 10s): heartbeat message written into the
                                database (keeps the slot moving while mirrored tables are idle) and slot check
  --leader-lease DURATION       PG2CONVEX_LEADER_LEASE (default 10s, at least 2s): how long a leader that stopped
                                answering keeps the slot's leadership lock before a standby takes over
  --catalog-check-interval-ms N PG2CONVEX_CATALOG_CHECK_INTERVAL_MS (default 30000; 0 = off): repeat the table
                                checks and mark a dropped table, a replica identity or column change as drift

Leader and standby: any number of \`run\` processes may run against one slot. One holds the slot's PostgreSQL
advisory lock and streams (/readyz 200, role "leader"); the others stand by (/readyz 503, role "standby";
/healthz 200) and take over about a second after the leader's lock session ends.

Migration control plane (README § Running the migration): while streaming, run reports a heartbeat to Convex
every --control-every (PG2CONVEX_CONTROL_EVERY, default 2s); a table whose reads are cut over is rolled back
to PostgreSQL when the mirror lags more than --max-lag (default 30s), the heartbeat is older than --stale-after
(default 15s), it has more than --max-dead-letters (default 0) unresolved dead letters, parity found drift, or
more than --max-apply-failures (default 3) Convex attempts failed in one interval.
  --alert-webhook URL[,URL]     PG2CONVEX_ALERT_WEBHOOKS: generic JSON alerts (firing / resolved)
  --slack-webhook URL[,URL]     PG2CONVEX_SLACK_WEBHOOKS: Slack-compatible {"text": …} alerts`;

/** Bound on the clean-up after the mirror ended (parity runs, the health port): then the process exits anyway. */
const CLEANUP_MS = 5_000;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config } = loadConfig(argv);
  const secrets = secretsOf(config);
  const logger = createLogger({ level: config.logLevel, secrets });
  const { tables, notes } = selectTables(await loadTableSet(config.tablesModule), config.tables);
  for (const note of notes) logger.warn(note);
  const metrics = createMetrics({ defaultMetrics: true });
  const reasons = createHealthReasons();
  const outages = createOutageTracker({ logger, registry: metrics.registry, reasons });
  const health: HealthState = { phase: "starting" };
  const extra = dashboardFor({ config, tables: tables.map((t) => t.name), logger, metrics, health: () => health, reasons });
  const server = await startHealthServer({ host: config.metricsHost, port: config.metricsPort, registry: metrics.registry, state: () => health, reasons, extra }).catch((e: unknown) => {
    throw new Pg2ConvexError("CONFIG_INVALID", `cannot serve /healthz and /metrics on ${config.metricsHost}:${config.metricsPort}: ${(e as Error).message}`, {
      cause: e,
      fix: "free that port or choose another with --metrics-port (0 = any free port)",
    });
  });
  logger.info({ url: server.url }, "health and metrics endpoint up (/healthz /readyz /metrics /dashboard)");

  // Convex: every call retried for as long as the outage lasts (or --max-outage); the tracker logs state changes.
  const convexRetry: RetryOptions = {
    retries: Number.POSITIVE_INFINITY,
    ...(config.maxOutage === undefined ? {} : { maxOutageMs: config.maxOutage }),
    observer: { failed: (e) => outages.failed("convex", e), succeeded: () => outages.recovered("convex") },
  };
  let mirror: SupervisedMirror | undefined;
  let parity: ParitySchedule | undefined;
  // The control plane's heartbeat goes out only while the mirror streams: a mirror that is reconnecting,
  // backfilling or stopped must let its heartbeat go stale, so reads fall back to PostgreSQL.
  const control = startControlPlane({ config, logger, metrics, live: () => mirror?.streaming() === true });
  let stopping = false;
  // A signal always ends the process, within --shutdown-timeout. While streaming: a graceful stop (the in-flight
  // batch is finished, pending ones flushed). Before that (checks, Convex state, backfill) or while waiting to
  // reconnect there is nothing to finish: every backfill page is durable together with its cursor, so exiting at
  // once is what a crash would do, minus the crash. A second signal exits at once.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping || !mirror?.streaming()) {
      logger.info({ signal }, stopping ? "second stop signal: exiting now" : "stop requested while not streaming: exiting (the next start resumes)");
      process.exit(stopping ? 1 : 0);
    }
    stopping = true;
    logger.info({ signal, shutdownTimeoutMs: config.shutdownTimeout }, "stop requested");
    health.phase = "stopping";
    setTimeout(() => {
      logger.warn({ shutdownTimeoutMs: config.shutdownTimeout }, "graceful stop did not finish in time: exiting");
      console.error(`pg2convex run: did not stop within ${config.shutdownTimeout / 1000} s (--shutdown-timeout; a call was still retrying); exited — the checkpoint stays at the last durable batch`);
      process.exit(1);
    }, config.shutdownTimeout).unref();
    // Failures surface through mirror.done (awaited below); Convex calls still retrying give up a little
    // before the deadline so the stop can finish by itself.
    mirror?.stop(Math.max(0, config.shutdownTimeout - 3_000)).catch(() => undefined);
    parity?.stop().catch(() => undefined);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    // Standby until this process holds the slot's leadership lock; back to standby when deposed (src/leadership/).
    // While leading, the supervisor rides through PostgreSQL and Convex outages (pipeline/supervisor.ts); losing
    // the lock ends that leadership (LEADERSHIP_LOST), never retried by the supervisor.
    const led = await leadAndStream<SupervisedMirror>({
      connectionString: config.databaseUrl,
      slot: config.slot,
      leaseMs: config.leaderLease,
      logger,
      outages,
      ...(config.maxOutage === undefined ? {} : { maxOutageMs: config.maxOutage }),
      stopping: () => stopping,
      onMirror: (m) => (mirror = m),
      onRole: (role) => Object.assign(health, role === "standby" ? { role, phase: "standby", slot: undefined } : { role, phase: "starting" }),
      start: async (leadership) => {
        const m = superviseMirror({
          config,
          tables,
          logger,
          metrics,
          outages,
          convexRetry,
          leadership,
          ...(config.maxOutage === undefined ? {} : { maxOutageMs: config.maxOutage }),
          onPhase: (p) => (health.phase = p),
          onReconnecting: () => (health.phase = "reconnecting"),
          onSlotHealth: (sh) => (health.slot = sh),
        });
        if (config.parityEvery) parity ??= scheduleParity({ config, tables, logger, metrics, everyMs: config.parityEvery });
        return m;
      },
    });
    logger.info({ position: led.position() }, "stopped");
    return 0;
  } catch (e) {
    health.phase = "failed";
    health.lastError = describeError(e);
    logger.fatal({ err: e instanceof Pg2ConvexError ? e.toJSON() : String(e) }, "pg2convex run failed");
    // The one line an operator reads: what happened and how to fix it, without secrets.
    console.error(scrubSecrets(`pg2convex run failed: ${describeErrorLine(e)}`, secrets));
    return 1;
  } finally {
    // Bounded: nothing here may keep a finished (or failed) process alive.
    let timer: NodeJS.Timeout | undefined;
    const cleanup = Promise.all([control.stop(), parity?.stop().catch(() => undefined), server.close()]);
    await Promise.race([cleanup, new Promise((r) => (timer = setTimeout(r, CLEANUP_MS)))]);
    clearTimeout(timer);
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}
