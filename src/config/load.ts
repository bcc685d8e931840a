// Reads configuration from environment variables and command-line flags (flags win) into the schema.
import { parseArgs } from "node:util";
import { Pg2ConvexError } from "../errors";
import { configSchema, type Config } from "./schema";

/** flag name → [config key, environment variable] */
const SOURCES = {
  "database-url": ["databaseUrl", "DATABASE_URL"],
  "convex-url": ["convexUrl", "CONVEX_URL"],
  "admin-key": ["convexAdminKey", "CONVEX_ADMIN_KEY"],
  slot: ["slot", "PG2CONVEX_SLOT"],
  tables: ["tables", "PG2CONVEX_TABLES"],
  "tables-module": ["tablesModule", "PG2CONVEX_TABLES_MODULE"],
  "convex-module": ["convexModule", "PG2CONVEX_CONVEX_MODULE"],
  "flush-interval-ms": ["flushIntervalMs", "PG2CONVEX_FLUSH_INTERVAL_MS"],
  "max-batch-ops": ["maxBatchOps", "PG2CONVEX_MAX_BATCH_OPS"],
  "backfill-rows-per-second": ["backfillRowsPerSecond", "PG2CONVEX_BACKFILL_ROWS_PER_SECOND"],
  "backfill-chunk-rows": ["backfillChunkRows", "PG2CONVEX_BACKFILL_CHUNK_ROWS"],
  "backfill-concurrency": ["backfillConcurrency", "PG2CONVEX_BACKFILL_CONCURRENCY"],
  retries: ["retries", "PG2CONVEX_RETRIES"],
  "metrics-port": ["metricsPort", "PG2CONVEX_METRICS_PORT"],
  "metrics-host": ["metricsHost", "PG2CONVEX_METRICS_HOST"],
  "log-level": ["logLevel", "LOG_LEVEL"],
  "parity-every": ["parityEvery", "PG2CONVEX_PARITY_EVERY"],
  "parity-mode": ["parityMode", "PG2CONVEX_PARITY_MODE"],
  "gate-days": ["gateDays", "PG2CONVEX_GATE_DAYS"],
  "max-lag": ["maxLag", "PG2CONVEX_MAX_LAG"],
  "stale-after": ["staleAfter", "PG2CONVEX_STALE_AFTER"],
  "max-dead-letters": ["maxDeadLetters", "PG2CONVEX_MAX_DEAD_LETTERS"],
  "max-apply-failures": ["maxApplyFailures", "PG2CONVEX_MAX_APPLY_FAILURES"],
  "control-every": ["controlEvery", "PG2CONVEX_CONTROL_EVERY"],
  "alert-webhook": ["alertWebhooks", "PG2CONVEX_ALERT_WEBHOOKS"],
  "slack-webhook": ["slackWebhooks", "PG2CONVEX_SLACK_WEBHOOKS"],
  "max-outage": ["maxOutage", "PG2CONVEX_MAX_OUTAGE"],
  "shutdown-timeout": ["shutdownTimeout", "PG2CONVEX_SHUTDOWN_TIMEOUT"],
  "heartbeat-every": ["heartbeatEvery", "PG2CONVEX_HEARTBEAT_EVERY"],
  "leader-lease": ["leaderLease", "PG2CONVEX_LEADER_LEASE"],
  "catalog-check-interval-ms": ["catalogCheckIntervalMs", "PG2CONVEX_CATALOG_CHECK_INTERVAL_MS"],
  "max-tx-buffer-rows": ["maxTxBufferRows", "PG2CONVEX_MAX_TX_BUFFER_ROWS"],
  "max-tx-buffer-bytes": ["maxTxBufferBytes", "PG2CONVEX_MAX_TX_BUFFER_BYTES"],
} as const satisfies Record<string, readonly [keyof Config, string]>;

export type ConfigFlag = keyof typeof SOURCES;

export const configFlagOptions = Object.fromEntries(Object.keys(SOURCES).map((f) => [f, { type: "string" as const }])) as Record<ConfigFlag, { type: "string" }>;

export interface LoadedArgs {
  config: Config;
  positionals: string[];
  extra: Record<string, string | boolean | undefined>;
}

/**
 * Parses flags and environment. `only` limits which settings are required (e.g. `status` needs no backfill
 * settings but does need Convex); keys outside it are filled with placeholders so they cannot fail.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, extraOptions: Record<string, { type: "string" | "boolean"; short?: string }> = {}, need: { convex?: boolean } = { convex: true }): LoadedArgs {
  let parsedArgs: ReturnType<typeof parseArgs>;
  try {
    parsedArgs = parseArgs({ args: argv, options: { ...configFlagOptions, ...extraOptions }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new Pg2ConvexError("CONFIG_INVALID", `invalid command line: ${(e as Error).message}`, { fix: "see --help for the accepted options", cause: e });
  }
  const { values, positionals } = parsedArgs;
  const raw: Record<string, unknown> = {};
  for (const [flag, [key, envName]] of Object.entries(SOURCES)) {
    const v = (values as Record<string, unknown>)[flag] ?? env[envName];
    if (v !== undefined && v !== "") raw[key] = v;
  }
  if (need.convex === false) {
    raw.convexUrl ??= "http://127.0.0.1:1";
    raw.convexAdminKey ??= "unused-admin-key";
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`);
    throw new Pg2ConvexError("CONFIG_INVALID", `invalid configuration:\n  - ${problems.join("\n  - ")}`, {
      context: { problems },
      fix: "set the variables above (or pass the matching --flags); see README § Configuration",
    });
  }
  const extra: Record<string, string | boolean | undefined> = {};
  for (const k of Object.keys(extraOptions)) extra[k] = (values as Record<string, string | boolean | undefined>)[k];
  return { config: parsed.data, positionals, extra };
}

/** Values that must never reach a log line. */
export function secretsOf(config: Config): string[] {
  // Webhook URLs carry their token in the path (Slack's do): the whole URL is secret.
  const out = [config.convexAdminKey, ...config.alertWebhooks, ...config.slackWebhooks];
  try {
    const pw = new URL(config.databaseUrl).password;
    if (pw) out.push(decodeURIComponent(pw));
  } catch {
    /* the schema already validated the URL shape */
  }
  return out;
}
