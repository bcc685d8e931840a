// Health and metrics endpoint for the sidecar: /healthz (alive), /readyz (streaming), /metrics (Prometheus).
// /healthz is 503 only when the bridge failed. While rejects are unresolved it answers 200 with
// status "degraded" naming their count: the bridge works and a restart would not help, but rows are missing
// or stale in Convex until someone acts (pg2convex status lists them).
import { createServer, type Server } from "node:http";
import type { Gauge, Registry } from "prom-client";
import { SCHEMA_DRIFTED_METRIC, UNRESOLVED_REJECTS_METRIC } from "./metrics";

export interface HealthState {
  /** "starting" | "backfill" | "streaming" | "stopping" | "failed" */
  phase: string;
  lastError?: string;
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(opts: { host: string; port: number; registry: Registry; state: () => HealthState }): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const state = opts.state();
    if (req.url === "/metrics") {
      opts.registry.metrics().then(
        (body) => res.writeHead(200, { "content-type": opts.registry.contentType }).end(body),
        (e: Error) => res.writeHead(500).end(e.message),
      );
      return;
    }
    if (req.url === "/healthz") {
      const ok = state.phase !== "failed";
      Promise.all([unresolvedRejects(opts.registry), driftedColumns(opts.registry)]).then(
        ([rejects, drifted]) => res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(healthBody(state, rejects, drifted))),
        (e: Error) => res.writeHead(500).end(e.message),
      );
      return;
    }
    if (req.url === "/readyz") {
      const ok = state.phase === "streaming";
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(state));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  return {
    url: `http://${opts.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The /healthz document: the state, plus status ok | degraded | failed and the reasons for "degraded". */
export function healthBody(state: HealthState, unresolved: number, drifted: readonly string[] = []): HealthState & { status: string; unresolvedRejects: number; schemaDrift?: string[]; degraded?: string[] } {
  const degraded = unresolved > 0 ? [`${unresolved} unresolved reject${unresolved === 1 ? "" : "s"} in pg2c_reject: rows Convex does not hold as PostgreSQL has them (pg2convex status lists them)`] : [];
  if (drifted.length > 0) degraded.push(`schema drift in ${drifted.join(", ")}: PostgreSQL differs from the table definitions (run pg2convex init --check, update the definitions and deploy, then pg2convex resync --table <table>)`);
  const status = state.phase === "failed" ? "failed" : degraded.length > 0 ? "degraded" : "ok";
  return { ...state, status, unresolvedRejects: unresolved, ...(drifted.length > 0 ? { schemaDrift: [...drifted] } : {}), ...(degraded.length > 0 ? { degraded } : {}) };
}

/** "table.column" (or "table" for a table-level finding) of every drifted column. */
async function driftedColumns(registry: Registry): Promise<string[]> {
  const gauge = registry.getSingleMetric(SCHEMA_DRIFTED_METRIC) as Gauge | undefined;
  if (!gauge) return [];
  return (await gauge.get()).values.filter((v) => v.value > 0).map((v) => (v.labels.column ? `${v.labels.table}.${v.labels.column}` : String(v.labels.table)));
}

async function unresolvedRejects(registry: Registry): Promise<number> {
  const gauge = registry.getSingleMetric(UNRESOLVED_REJECTS_METRIC) as Gauge | undefined;
  if (!gauge) return 0;
  return (await gauge.get()).values[0]?.value ?? 0;
}
