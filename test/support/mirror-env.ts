// End-to-end fixture: a fresh database with the reference schema (optionally seeded), a fresh local Convex
// serving the project's real convex/ functions, and the bridge run in-process or as a separate process.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "./pg";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { referenceTables } from "../../tables/reference";
import { referenceSchemaSql, seedReference, type SeedSize } from "../../src/reference/seed";
import { configSchema, type Config } from "../../src/config/schema";
import { buildGraph } from "../../src/definitions/graph";
import { silentLogger } from "../../src/log";
import { startMirror, type MirrorHandle } from "../../src/pipeline/mirror";
import { createMirrorReader, type MirrorReader } from "../../src/convex-client/mirror-reader";
import { convexRows, diffRows, pgRows, type RowDiff } from "./oracle/full-compare";
import { checkInvariants, type DocsByTable, type InvariantDiff } from "./oracle/derived-check";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));
export const graph = buildGraph(referenceTables);

export interface MirrorEnv {
  db: TestDatabase;
  convex: LocalConvexHandle;
  config: Config;
  reader: MirrorReader;
  start(overrides?: Partial<Config>): Promise<MirrorHandle>;
  /** The real CLI in its own process (for SIGKILL tests). */
  spawnRun(extraArgs?: string[]): ChildProcess & { output: () => string };
  diffs(): Promise<{ rows: RowDiff[]; invariants: InvariantDiff[] }>;
  waitConverged(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createMirrorEnv(opts: { seed?: SeedSize; adminUrl?: string } = {}): Promise<MirrorEnv> {
  const db = await createTestDatabase("mirror", opts.adminUrl);
  if (opts.seed) await seedReference(db.client, opts.seed);
  else await db.client.query(referenceSchemaSql());
  const convex = await withLocalConvex();
  const config = configSchema.parse({ databaseUrl: db.url, convexUrl: convex.url, convexAdminKey: convex.adminKey, slot: `s_${db.name}`.slice(0, 63), metricsPort: 0, flushIntervalMs: 50, backfillChunkRows: 97, logLevel: "silent" });
  const reader = createMirrorReader({ url: convex.url, adminKey: convex.adminKey });
  const handles: MirrorHandle[] = [];
  const children: ChildProcess[] = [];

  const diffs = async () => {
    const rows: RowDiff[] = [];
    const docs: DocsByTable = new Map();
    for (const t of referenceTables) {
      const [expected, actual] = await Promise.all([pgRows(db.client, t), convexRows(reader, t)]);
      docs.set(t.name, actual);
      rows.push(...diffRows(t, expected, actual));
      // Two documents with one primary key collapse in the map above: count them separately.
      const stored = await reader.countRows(t.convexName);
      if (stored !== actual.size) rows.push({ table: t.name, key: `${stored - actual.size} duplicate document(s)`, kind: "extra" });
    }
    return { rows, invariants: checkInvariants(graph, docs) };
  };

  return {
    db,
    convex,
    config,
    reader,
    async start(overrides = {}) {
      const h = await startMirror({ config: { ...config, ...overrides }, tables: referenceTables, logger: silentLogger });
      handles.push(h);
      return h;
    },
    spawnRun(extraArgs = []) {
      let out = "";
      const child = spawn(process.execPath, [BIN, "run", ...extraArgs], {
        env: { ...process.env, DATABASE_URL: db.url, CONVEX_URL: convex.url, CONVEX_ADMIN_KEY: convex.adminKey, PG2CONVEX_SLOT: config.slot, PG2CONVEX_METRICS_PORT: "0", PG2CONVEX_FLUSH_INTERVAL_MS: "50", LOG_LEVEL: "info", CI: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout!.on("data", (d) => (out += d));
      child.stderr!.on("data", (d) => (out += d));
      children.push(child);
      return Object.assign(child, { output: () => out });
    },
    diffs,
    async waitConverged(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      let last = await diffs();
      while (last.rows.length + last.invariants.length > 0) {
        if (Date.now() > until) throw new Error(`mirror did not converge: ${JSON.stringify({ rows: last.rows.slice(0, 10), invariants: last.invariants.slice(0, 10), total: last.rows.length + last.invariants.length })}`);
        await new Promise((r) => setTimeout(r, 250));
        last = await diffs();
      }
    },
    async close() {
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
      for (const h of handles) await h.stop().catch(() => undefined);
      await convex.close();
      await db.drop();
    },
  };
}
