// Health and metrics endpoint for the sidecar: /healthz (alive), /readyz (streaming), /metrics (Prometheus).
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

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
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(state));
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
