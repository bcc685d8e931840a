// `pg2convex run`: the sidecar. Backfills if needed, then streams; stops gracefully on SIGTERM/SIGINT.
import { loadConfig, secretsOf } from "../../config/load";
import { createLogger, scrubSecrets } from "../../log";
import { createMetrics } from "../../observability/metrics";
import { startHealthServer, type HealthState } from "../../observability/health";
import { startMirror } from "../../pipeline/mirror";
import { loadTableSet, selectTables } from "../../definitions/select";
import { describeError, describeErrorLine, Pg2ConvexError } from "../../errors";
import { scheduleParity, type ParitySchedule } from "../../parity/schedule";

const HELP = `usage: pg2convex run [options]

Mirrors the configured PostgreSQL tables into Convex: backfills on first start (or resumes an interrupted
backfill), then streams changes from the replication slot. SIGTERM/SIGINT stop it after the in-flight batch
(at most 20 s; during start-up and backfill at once, resuming on the next start). A fatal error exits 1 with one
line on stderr saying what happened and how to fix it.

Options (each also read from the environment variable shown):
  --database-url URL            DATABASE_URL
  --convex-url URL              CONVEX_URL
  --admin-key KEY               CONVEX_ADMIN_KEY (deploy or admin key: the mirror functions are internal)
  --slot NAME                   PG2CONVEX_SLOT (default pg2convex)
  --tables a,b,c                PG2CONVEX_TABLES (default: every defined table)
  --tables-module PATH          PG2CONVEX_TABLES_MODULE (default: the built-in reference schema)
  --convex-module NAME          PG2CONVEX_CONVEX_MODULE (default mirror: convex/mirror.ts)
  --flush-interval-ms N         PG2CONVEX_FLUSH_INTERVAL_MS (default 200)
  --max-batch-ops N             PG2CONVEX_MAX_BATCH_OPS (default: Convex limits)
  --backfill-rows-per-second N  PG2CONVEX_BACKFILL_ROWS_PER_SECOND (default 0 = unthrottled)
  --backfill-chunk-rows N       PG2CONVEX_BACKFILL_CHUNK_ROWS (default 1000)
  --retries N                   PG2CONVEX_RETRIES (default 8)
  --metrics-port N              PG2CONVEX_METRICS_PORT (default 9464; 0 = any free port)
  --metrics-host HOST           PG2CONVEX_METRICS_HOST (default 127.0.0.1)
  --log-level LEVEL             LOG_LEVEL (default info)
  --parity-every DURATION       PG2CONVEX_PARITY_EVERY (e.g. 1h, 30m; default off): run parity on this period
                                inside the sidecar (own connections), recording verdicts and the
                                pg2convex_parity_drift_rows{table} metric; the first run after one period
  --parity-mode MODE            PG2CONVEX_PARITY_MODE (count, sample or full; default sample)
  --catalog-check-interval-ms N PG2CONVEX_CATALOG_CHECK_INTERVAL_MS (default 30000; 0 = off): repeat the table
                                checks and mark a dropped table, a replica identity or column change as drift`;

/**
 * How long a graceful stop may take (finish the in-flight batch, flush, end the replication stream) before the
 * process exits anyway. Exiting early is safe: the checkpoint only ever moves past batches durable in Convex.
 */
const STOP_DEADLINE_MS = 20_000;

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
  const health: HealthState = { phase: "starting" };
  const server = await startHealthServer({ host: config.metricsHost, port: config.metricsPort, registry: metrics.registry, state: () => health }).catch((e: unknown) => {
    throw new Pg2ConvexError("CONFIG_INVALID", `cannot serve /healthz and /metrics on ${config.metricsHost}:${config.metricsPort}: ${(e as Error).message}`, {
      cause: e,
      fix: "free that port or choose another with --metrics-port (0 = any free port)",
    });
  });
  logger.info({ url: server.url }, "health and metrics endpoint up (/healthz /readyz /metrics)");

  let mirror: Awaited<ReturnType<typeof startMirror>> | undefined;
  let parity: ParitySchedule | undefined;
  let stopping = false;
  let failed = false;
  // A signal always ends the process. While streaming: a graceful stop, bounded by STOP_DEADLINE_MS. Before
  // that (checks, Convex state, backfill) there is nothing to finish: every backfill page is durable together
  // with its cursor, so exiting at once is what a crash would do, minus the crash. A second signal exits now.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping || !mirror) {
      logger.info({ signal }, stopping ? "second stop signal: exiting now" : "stop requested during start-up: exiting (the next start resumes)");
      process.exit(stopping || failed ? 1 : 0);
    }
    stopping = true;
    logger.info({ signal }, "stop requested");
    health.phase = "stopping";
    setTimeout(() => {
      logger.warn({ deadlineMs: STOP_DEADLINE_MS }, "graceful stop did not finish in time: exiting");
      console.error(`pg2convex run: did not stop within ${STOP_DEADLINE_MS / 1000} s (a Convex call was still retrying); exited — the checkpoint stays at the last durable batch`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    // Failures surface through mirror.done (awaited below); the stop calls themselves have nothing to report.
    mirror.stop().catch(() => undefined);
    parity?.stop().catch(() => undefined);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    mirror = await startMirror({ config, tables, logger, metrics, onPhase: (p) => (health.phase = p) });
    if (config.parityEvery) parity = scheduleParity({ config, tables, logger, metrics, everyMs: config.parityEvery });
    await mirror.done;
    logger.info({ position: mirror.position() }, "stopped");
    return 0;
  } catch (e) {
    failed = true;
    health.phase = "failed";
    health.lastError = describeError(e);
    logger.fatal({ err: e instanceof Pg2ConvexError ? e.toJSON() : String(e) }, "pg2convex run failed");
    // The one line an operator reads: what happened and how to fix it, without secrets.
    console.error(scrubSecrets(`pg2convex run failed: ${describeErrorLine(e)}`, secrets));
    return 1;
  } finally {
    await parity?.stop();
    await server.close();
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}
