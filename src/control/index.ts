// The migration's control plane, bridge side: the sidecar's heartbeat loop, alerts, and the thresholds
// taken from the configuration. The rules and state live in Convex (src/mirror-functions/control/).
import type { Config } from "../config/schema";
import type { Thresholds } from "../mirror-functions/control/rules";

export { startHealthLoop, type HealthLoop } from "./health-loop";
export { createAlertSink, type Alert, type AlertSink } from "./alerts";

export function thresholdsOf(config: Pick<Config, "maxLag" | "staleAfter" | "maxDeadLetters" | "maxApplyFailures">): Thresholds {
  return { maxLagSeconds: config.maxLag / 1000, staleAfterMs: config.staleAfter, maxDeadLetters: config.maxDeadLetters, maxApplyFailures: config.maxApplyFailures };
}
