// Health and metrics endpoint for the sidecar: /healthz (alive), /readyz (streaming as the slot's leader; a standby
// answers 503 with role "standby"), /metrics (Prometheus). A slot problem (slot-guard.ts) degrades /healthz.
// /healthz is 503 only when the bridge failed. While rejects are unresolved it answers 200 with
// status "degraded" naming their count: the bridge works and a restart would not help, but rows are missing
// or stale in Convex until someone acts (pg2convex status lists them). Any part of the bridge can add its own
// reason to the registry (createHealthReasons: set / clear by key), e.g. "postgres unreachable since …": each
// one set makes /healthz "degraded" (still 200: the bridge is riding it out) and is listed under `degraded`.
import { createServer, type Server } from "node:http";
import type { Gauge, Registry } from "prom-client";
import { DEAD_LETTERS_METRIC, SCHEMA_DRIFTED_METRIC, UNRESOLVED_REJECTS_METRIC } from "./metrics";
import type { SlotHealth } from "./slot-guard";

export interface HealthState {
  /** "starting" | "backfill" | "streaming" | "stopping" | "failed" */
  phase: string;
  lastError?: string;
  /** `run` only: whether this process leads the slot or stands by (src/leadership/); /readyz is 503 for a standby. */
  role?: "leader" | "standby";
  /** The slot guard's last reading (observability/slot-guard.ts); its `problem` degrades /healthz. */
  slot?: SlotHealth;
}

/** Reasons /healthz is degraded, by key (one per cause: set again to update, clear when it is over). */
export interface HealthReasons {
  set(key: string, text: string): void;
  clear(key: string): void;
  list(): string[];
}

export function createHealthReasons(): HealthReasons {
  const reasons = new Map<string, string>();
  return {
    set: (key, text) => void reasons.set(key, text),
    clear: (key) => void reasons.delete(key),
    list: () => [...reasons.values()],
  };
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Another page on the same port (the dashboard): null when `url` is not its path. */
export type ExtraRoute = (method: string, url: string) => Promise<{ status: number; headers: Record<string, string>; body: string }> | null;

export async function startHealthServer(opts: { host: string; port: number; registry: Registry; state: () => HealthState; reasons?: HealthReasons; extra?: ExtraRoute }): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const state = opts.state();
    const extra = opts.extra?.(req.method ?? "GET", req.url ?? "/");
    if (extra) {
      extra.then(
        (r) => res.writeHead(r.status, r.headers).end(req.method === "HEAD" ? undefined : r.body),
        (e: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`cannot render: ${e.message}`),
      );
      return;
    }
    if (req.url === "/metrics") {
      opts.registry.metrics().then(
        (body) => res.writeHead(200, { "content-type": opts.registry.contentType }).end(body),
        (e: Error) => res.writeHead(500).end(e.message),
      );
      return;
    }
    if (req.url === "/healthz") {
      const ok = state.phase !== "failed";
      healthDocument(opts.registry, state, opts.reasons).then(
        (body) => res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body)),
        (e: Error) => res.writeHead(500).end(e.message),
      );
      return;
    }
    if (req.url === "/readyz") {
      const ok = state.phase === "streaming" && state.role !== "standby";
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
    // Idle keep-alive connections (a health checker's) would hold close() open for ever: they are cut.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The /healthz document: the state, plus status ok | degraded | failed and the reasons for "degraded". */
/** `deadLetters`: "table n" for each table with open rejects (the dead-letter queue), named in the reason. */
export function healthBody(
  state: HealthState,
  unresolved: number,
  reasons: readonly string[] = [],
  drifted: readonly string[] = [],
  deadLetters: readonly string[] = [],
): HealthState & { status: string; unresolvedRejects: number; schemaDrift?: string[]; degraded?: string[] } {
  const where = deadLetters.length > 0 ? ` (dead letters: ${deadLetters.join(", ")})` : "";
  const degraded: string[] = [
    ...reasons,
    ...(unresolved > 0 ? [`${unresolved} unresolved reject${unresolved === 1 ? "" : "s"} in pg2c_reject${where}: rows Convex does not hold as PostgreSQL has them (pg2convex dlq list shows them; dlq replay re-applies them from PostgreSQL)`] : []),
  ];
  if (drifted.length > 0) degraded.push(`schema drift in ${drifted.join(", ")}: PostgreSQL differs from the table definitions (run pg2convex init --check, update the definitions and deploy, then pg2convex resync --table <table>)`);
  if (state.slot?.problem && state.phase !== "failed") degraded.push(state.slot.problem);
  const status = state.phase === "failed" ? "failed" : degraded.length > 0 ? "degraded" : "ok";
  return { ...state, status, unresolvedRejects: unresolved, ...(drifted.length > 0 ? { schemaDrift: [...drifted] } : {}), ...(degraded.length > 0 ? { degraded } : {}) };
}

/** What /healthz answers now (also shown on the dashboard). */
export async function healthDocument(registry: Registry, state: HealthState, reasons?: HealthReasons): Promise<ReturnType<typeof healthBody>> {
  const [rejects, drifted, tables] = await Promise.all([unresolvedRejects(registry), driftedColumns(registry), deadLetterTables(registry)]);
  return healthBody(state, rejects, reasons?.list(), drifted, tables);
}

/** "table n" for every table with open dead letters (pg2convex_dead_letters), most first. */
async function deadLetterTables(registry: Registry): Promise<string[]> {
  const gauge = registry.getSingleMetric(DEAD_LETTERS_METRIC) as Gauge | undefined;
  if (!gauge) return [];
  const values = (await gauge.get()).values.filter((v) => v.value > 0).sort((a, b) => b.value - a.value);
  return values.map((v) => `${String(v.labels.table)} ${v.value}`);
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
