// The dashboard for `run` (src/control/dashboard/): served on the health/metrics port, its data read from
// Convex with the sidecar's own client (no retries: a page must answer) and from the process's own state.
import type { Config } from "../../config/schema";
import { secretsOf } from "../../config/load";
import type { Logger } from "../../log";
import type { Metrics } from "../../observability/metrics";
import { healthDocument, type ExtraRoute, type HealthReasons, type HealthState } from "../../observability/health";
import { createConvexClient } from "../../convex-client";
import { createDashboardSource, dashboardRoute } from "../../control/dashboard";

export function dashboardFor(opts: { config: Config; tables: string[]; logger: Logger; metrics: Metrics; health: () => HealthState; reasons: HealthReasons }): ExtraRoute {
  const { config, metrics } = opts;
  const client = createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, logger: opts.logger, retries: 0, timeoutMs: 10_000 });
  const lag = async () => (await metrics.lagSeconds.get()).values.reduce((a, v) => a + v.value, 0);
  const source = createDashboardSource({
    client,
    tables: opts.tables,
    slot: config.slot,
    gateDays: config.gateDays,
    maxLagSeconds: config.maxLag / 1000,
    sidecar: async () => {
      const h = await healthDocument(metrics.registry, opts.health(), opts.reasons);
      return { phase: h.phase, role: h.role ?? null, status: h.status, degraded: [...(h.degraded ?? [])], lagSeconds: Math.round(await lag()) };
    },
  });
  return dashboardRoute(source, secretsOf(config));
}
