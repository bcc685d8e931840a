// The one configuration schema. Parsed once at start-up from flags over environment variables;
// every problem is reported together.
import { z } from "zod";
import { isValidSlotName, SLOT_NAME_RULE } from "../postgres/ident";

const csv = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean));

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int()
    .positive();
const nonNegativeInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int()
    .nonnegative();

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "1h30m", "500ms", "2d" → milliseconds; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) return null;
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) ms += Number(m[1]) * UNITS[m[2]!]!;
  return Math.round(ms);
}

/** A duration such as 1h, 30m, 45s or 1h30m, as milliseconds. */
export const duration = (name: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = typeof v === "number" ? v : parseDuration(v);
    if (ms === null || !(ms > 0)) {
      ctx.addIssue({ code: "custom", message: `${name} must be a duration like 30s, 15m, 1h or 1h30m` });
      return z.NEVER;
    }
    return ms;
  });

export const configSchema = z.object({
  databaseUrl: z.string({ error: "DATABASE_URL (or --database-url) is required" }).regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL"),
  convexUrl: z.string({ error: "CONVEX_URL (or --convex-url) is required" }).url("CONVEX_URL must be an http(s) URL"),
  convexAdminKey: z.string({ error: "CONVEX_ADMIN_KEY (or --admin-key) is required" }).min(8, "CONVEX_ADMIN_KEY looks too short"),
  slot: z.string().refine(isValidSlotName, `slot names are ${SLOT_NAME_RULE}`).default("pg2convex"),
  /** PostgreSQL names of the tables to mirror; empty = every table in the definitions. */
  tables: csv.default([]),
  /** Module exporting `tables` (a TableSet); default: the built-in reference schema. */
  tablesModule: z.string().optional(),
  /** Convex module holding the mirror functions (convex/<module>.ts). */
  convexModule: z
    .string()
    .regex(/^[A-Za-z0-9_/]+$/, "convex module must be a path like 'mirror' or 'pg2convex/mirror'")
    .default("mirror"),
  flushIntervalMs: positiveInt("--flush-interval-ms").default(200), // the lag and checkpoint-only tick; transactions never wait for it (stream-loop.ts)
  maxBatchOps: positiveInt("--max-batch-ops").max(8192).optional(),
  backfillRowsPerSecond: nonNegativeInt("--backfill-rows-per-second").default(0),
  backfillChunkRows: positiveInt("--backfill-chunk-rows").default(1000),
  // Backfill mutations in flight at once (src/backfill/schedule.ts). Convex cloud runs mutations concurrently
  // and each backfill mutation is mostly round trip plus its own writes on distinct keys (no OCC conflicts
  // between pages), so a handful overlap well; 8 keeps memory at 8 pages and stays well inside a deployment's
  // concurrent-function limits, leaving room for the stream and other clients. 1 = the old sequential copy.
  backfillConcurrency: positiveInt("--backfill-concurrency").max(64, "--backfill-concurrency must be at most 64").default(8),
  retries: nonNegativeInt("--retries").default(8),
  metricsPort: nonNegativeInt("--metrics-port").max(65535).default(9464),
  metricsHost: z.string().default("127.0.0.1"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `run`: check parity on this period (ms) inside the sidecar; unset = never. */
  parityEvery: duration("--parity-every").optional(),
  /** Mode of the scheduled parity runs. */
  parityMode: z.enum(["count", "sample", "full"], { error: "--parity-mode must be count, sample or full" }).default("sample"),
  /** The migration's control plane (src/control, src/mirror-functions/control). Days of green parity `cutover` requires. */
  gateDays: z.coerce.number({ error: "--gate-days must be a number" }).nonnegative().default(7),
  /** Reads fall back to PostgreSQL (and roll back) when the mirror lags more than this (ms). */
  maxLag: duration("--max-lag").default(30_000),
  /** …or when the sidecar's heartbeat in Convex is older than this (ms). */
  staleAfter: duration("--stale-after").default(15_000),
  /** Unresolved dead letters of a table tolerated before its reads roll back. */
  maxDeadLetters: nonNegativeInt("--max-dead-letters").default(0),
  /** Failed Convex attempts per heartbeat interval tolerated before reads roll back. */
  maxApplyFailures: nonNegativeInt("--max-apply-failures").default(3),
  /** How often `run` reports its heartbeat to Convex (ms). */
  controlEvery: duration("--control-every").default(2_000),
  /** Alert webhooks: generic JSON, and Slack-compatible ({"text": …}). Secrets: never logged. */
  alertWebhooks: csv.default([]),
  slackWebhooks: csv.default([]),
  /** `run`: give up (exit non-zero) once PostgreSQL or Convex has been failing for longer than this (ms); unset = never. */
  maxOutage: duration("--max-outage").optional(),
  /** `run`: how long a stop signal may take (finish the in-flight batch, flush) before the process exits anyway (ms). */
  shutdownTimeout: duration("--shutdown-timeout").default(30_000),
  /** `run`: period (ms) of the heartbeat message written into the database and of the slot guard's checks. */
  heartbeatEvery: duration("--heartbeat-every").default(10_000),
  /** `run`: how long a leader that stopped answering keeps the slot's advisory lock (idle_session_timeout). */
  leaderLease: duration("--leader-lease")
    .refine((ms) => ms >= 2_000, "--leader-lease must be at least 2s")
    .default(10_000),
  /** `run`: repeat the per-table catalog checks on this period (ms) and mark what changed as drift; 0 = never. */
  catalogCheckIntervalMs: nonNegativeInt("--catalog-check-interval-ms").default(30_000),
  /** A transaction with more changes than this is streamed into Convex in parts (src/assemble/parts.ts). */
  maxTxBufferRows: positiveInt("--max-tx-buffer-rows").default(50_000),
  /** Same, in bytes of wal2json text buffered for one transaction. */
  maxTxBufferBytes: positiveInt("--max-tx-buffer-bytes").default(32 * 1024 * 1024),
});

export type Config = z.infer<typeof configSchema>;
