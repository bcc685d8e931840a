// Fixture for the issue 12 end-to-end tests: a fresh database with the schema-app schema, a local Convex serving
// test/fixtures/schema-app/convex (built from the same definitions), the bridge in-process with its metrics and
// health server, and readers for documents and pg2c_drift.
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { configSchema, type Config } from "../../src/config/schema";
import { silentLogger } from "../../src/log";
import { startMirror, type MirrorHandle } from "../../src/pipeline/mirror";
import { createMirrorReader, type MirrorReader } from "../../src/convex-client/mirror-reader";
import { createMetrics, type Metrics } from "../../src/observability/metrics";
import { startHealthServer, type HealthServer } from "../../src/observability/health";
import type { TableSet } from "../../src/definitions/types";
import { schemaSql, tables } from "../fixtures/schema-app/tables";

export const SCHEMA_APP_CONVEX = fileURLToPath(new URL("../fixtures/schema-app/convex", import.meta.url));

export interface SchemaAppEnv {
  db: TestDatabase;
  convex: LocalConvexHandle;
  config: Config;
  reader: MirrorReader;
  metrics: Metrics;
  health: HealthServer;
  start(opts?: { tables?: TableSet; config?: Partial<Config> }): Promise<MirrorHandle>;
  docs(table: string): Promise<Array<Record<string, unknown>>>;
  drift(table: string): Promise<Array<Record<string, unknown>>>;
  healthz(): Promise<{ status: string; schemaDrift?: string[]; degraded?: string[] }>;
  close(): Promise<void>;
}

export async function createSchemaAppEnv(): Promise<SchemaAppEnv> {
  const db = await createTestDatabase("schemaapp");
  await db.client.query(schemaSql);
  const convex = await withLocalConvex(SCHEMA_APP_CONVEX);
  const config = configSchema.parse({ databaseUrl: db.url, convexUrl: convex.url, convexAdminKey: convex.adminKey, slot: `s_${db.name}`.slice(0, 63), metricsPort: 0, flushIntervalMs: 50, logLevel: "silent", catalogCheckIntervalMs: 0 });
  const reader = createMirrorReader({ url: convex.url, adminKey: convex.adminKey });
  const metrics = createMetrics();
  let phase = "starting";
  const health = await startHealthServer({ host: "127.0.0.1", port: 0, registry: metrics.registry, state: () => ({ phase }) });
  const handles: MirrorHandle[] = [];
  return {
    db,
    convex,
    config,
    reader,
    metrics,
    health,
    async start(opts = {}) {
      const h = await startMirror({ config: { ...config, ...opts.config }, tables: opts.tables ?? tables, logger: silentLogger, metrics, onPhase: (p) => (phase = p) });
      handles.push(h);
      return h;
    },
    async docs(table) {
      const out: Array<Record<string, unknown>> = [];
      for await (const d of reader.allRows(table)) out.push(d);
      return out;
    },
    async drift(table) {
      const page = await reader.client.query<{ page: Array<Record<string, unknown>> }>("listDriftEntries", { table, numItems: 1000 });
      return page.page;
    },
    async healthz() {
      return (await (await fetch(`${health.url}/healthz`)).json()) as { status: string; schemaDrift?: string[]; degraded?: string[] };
    },
    async close() {
      for (const h of handles) await h.stop().catch(() => undefined);
      await health.close();
      await convex.close();
      await db.drop();
    },
  };
}
