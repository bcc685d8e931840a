// The one configuration schema. Parsed once at start-up from flags over environment variables;
// every problem is reported together.
import { z } from "zod";

const csv = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean));

const positiveInt = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int().positive();
const nonNegativeInt = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int().nonnegative();

export const configSchema = z.object({
  databaseUrl: z
    .string({ error: "DATABASE_URL (or --database-url) is required" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL"),
  convexUrl: z.string({ error: "CONVEX_URL (or --convex-url) is required" }).url("CONVEX_URL must be an http(s) URL"),
  convexAdminKey: z.string({ error: "CONVEX_ADMIN_KEY (or --admin-key) is required" }).min(8, "CONVEX_ADMIN_KEY looks too short"),
  slot: z
    .string()
    .regex(/^[a-z0-9_]{1,63}$/, "slot names are lowercase letters, digits and underscores, at most 63 characters")
    .default("pg2convex"),
  /** PostgreSQL names of the tables to mirror; empty = every table in the definitions. */
  tables: csv.default([]),
  /** Module exporting `tables` (a TableSet); default: the built-in reference schema. */
  tablesModule: z.string().optional(),
  /** Convex module holding the mirror functions (convex/<module>.ts). */
  convexModule: z.string().regex(/^[A-Za-z0-9_/]+$/, "convex module must be a path like 'mirror' or 'pg2convex/mirror'").default("mirror"),
  flushIntervalMs: positiveInt("--flush-interval-ms").default(200),
  maxBatchOps: positiveInt("--max-batch-ops").max(8192).optional(),
  backfillRowsPerSecond: nonNegativeInt("--backfill-rows-per-second").default(0),
  backfillChunkRows: positiveInt("--backfill-chunk-rows").default(1000),
  retries: nonNegativeInt("--retries").default(8),
  metricsPort: nonNegativeInt("--metrics-port").max(65535).default(9464),
  metricsHost: z.string().default("127.0.0.1"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof configSchema>;
