// `pg2convex run`: the sidecar. Backfills if needed, then streams; stops gracefully on SIGTERM/SIGINT.
import { loadConfig, secretsOf } from "../../config/load";
import { createLogger } from "../../log";
import { createMetrics } from "../../observability/metrics";
import { startHealthServer, type HealthState } from "../../observability/health";
import { startMirror } from "../../pipeline/mirror";
import { loadTableSet, selectTables } from "../../tables/select";
import { describeError } from "../../errors";
import { scheduleParity, type ParitySchedule } from "../../parity/schedule";

const HELP = `usage: pg2convex run [options]

Mirrors the configured PostgreSQL tables into Convex: backfills on first start (or resumes an interrupted
backfill), then streams changes from the replication slot. SIGTERM/SIGINT stop it after the in-flight batch.

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
  --parity-mode MODE            PG2CONVEX_PARITY_MODE (count, sample or full; default sample)`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config } = loadConfig(argv);
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const { tables, notes } = selectTables(await loadTableSet(config.tablesModule), config.tables);
  for (const note of notes) logger.warn(note);
  const metrics = createMetrics({ defaultMetrics: true });
  const health: HealthState = { phase: "starting" };
  const server = await startHealthServer({ host: config.metricsHost, port: config.metricsPort, registry: metrics.registry, state: () => health });
  logger.info({ url: server.url }, "health and metrics endpoint up (/healthz /readyz /metrics)");

  let mirror: Awaited<ReturnType<typeof startMirror>> | undefined;
  let parity: ParitySchedule | undefined;
  const stop = async (signal: string) => {
    logger.info({ signal }, "stop requested");
    health.phase = "stopping";
    await mirror?.stop();
    await parity?.stop();
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  try {
    mirror = await startMirror({ config, tables, logger, metrics, onPhase: (p) => (health.phase = p) });
    if (config.parityEvery) parity = scheduleParity({ config, tables, logger, metrics, everyMs: config.parityEvery });
    await mirror.done;
    logger.info({ position: mirror.position() }, "stopped");
    return 0;
  } catch (e) {
    health.phase = "failed";
    health.lastError = describeError(e);
    logger.fatal({ err: e instanceof Error && "toJSON" in e ? (e as { toJSON(): unknown }).toJSON() : String(e) }, "pg2convex run failed");
    console.error(describeError(e));
    return 1;
  } finally {
    await parity?.stop();
    await server.close();
  }
}
