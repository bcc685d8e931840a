// Starts the control plane's heartbeat loop for `run`, fed from the sidecar's own metrics.
import type { Config } from "../../config/schema";
import type { Logger } from "../../log";
import type { Metrics } from "../../observability/metrics";
import { createConvexClient } from "../../convex-client";
import { createAlertSink, startHealthLoop, thresholdsOf, type HealthLoop } from "../../control";

const gaugeValue = async (m: { get(): Promise<{ values: { value: number }[] }> }) => (await m.get()).values.reduce((a, v) => a + v.value, 0);

export function startControlPlane(opts: { config: Config; logger: Logger; metrics: Metrics; live: () => boolean }): HealthLoop {
  const { config, logger, metrics } = opts;
  const client = createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, logger, retries: 0 });
  return startHealthLoop({
    client,
    slot: config.slot,
    thresholds: thresholdsOf(config),
    intervalMs: config.controlEvery,
    lagSeconds: () => gaugeValue(metrics.lagSeconds),
    failures: () => gaugeValue(metrics.retries),
    alerts: createAlertSink({ webhookUrls: config.alertWebhooks, slackWebhookUrls: config.slackWebhooks, logger }),
    alertWebhooks: config.alertWebhooks.length + config.slackWebhooks.length,
    live: opts.live,
    logger,
  });
}
