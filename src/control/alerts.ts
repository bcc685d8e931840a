// Alert delivery: webhooks (generic JSON and Slack-compatible), de-duplicated per (kind, table) while the
// condition lasts, with one recovery notice when it clears. Delivery failures are logged, never fatal:
// alerts report on the mirror, they must not stop it. URLs are secrets (Slack's carry a token): never logged.
import type { Logger } from "../log";

export interface Alert {
  /** e.g. "auto-rollback", "convex-unreachable". */
  kind: string;
  table: string;
  message: string;
}

export interface AlertSink {
  /** Fires `alert` unless the same (kind, table) is already firing. */
  fire(alert: Alert): Promise<void>;
  /** Sends a recovery notice for every firing (kind, table) not in `still`. */
  resolveExcept(kind: string, still: ReadonlySet<string>): Promise<void>;
  /** Sends `alert` as a one-off event (an automatic rollback happens once per flag raise): never de-duplicated. */
  event(alert: Alert): Promise<void>;
  readonly configured: boolean;
}

export interface AlertOptions {
  webhookUrls: readonly string[];
  slackWebhookUrls: readonly string[];
  logger: Logger;
  /** Per request. */
  timeoutMs?: number;
}

export function createAlertSink(opts: AlertOptions): AlertSink {
  const firing = new Map<string, Alert>();
  const post = async (url: string, body: unknown, what: string) => {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000) });
      if (!res.ok) opts.logger.warn({ status: res.status, what }, "alert webhook answered with an error status");
    } catch (e) {
      opts.logger.warn({ err: (e as Error).message, what }, "alert webhook could not be delivered");
    }
  };
  const send = async (a: Alert, state: "firing" | "resolved") => {
    const at = new Date().toISOString();
    const generic = { source: "pg2convex", state, kind: a.kind, table: a.table, message: a.message, at };
    const slack = { text: `${state === "firing" ? ":rotating_light:" : ":white_check_mark:"} pg2convex ${a.kind} (${a.table}): ${state === "firing" ? a.message : "recovered"}` };
    await Promise.all([...opts.webhookUrls.map((u) => post(u, generic, a.kind)), ...opts.slackWebhookUrls.map((u) => post(u, slack, a.kind))]);
  };
  return {
    configured: opts.webhookUrls.length + opts.slackWebhookUrls.length > 0,
    async fire(a) {
      const id = `${a.kind}\0${a.table}`;
      // Logged and sent once per state change, not on every check that still finds the condition.
      if (firing.has(id)) return;
      opts.logger.error({ alert: a.kind, table: a.table, message: a.message }, "alert");
      firing.set(id, a);
      await send(a, "firing");
    },
    async event(a) {
      opts.logger.error({ alert: a.kind, table: a.table, message: a.message }, "alert");
      await send(a, "firing");
    },
    async resolveExcept(kind, still) {
      for (const [id, a] of [...firing]) {
        if (a.kind !== kind || still.has(a.table)) continue;
        firing.delete(id);
        opts.logger.info({ alert: a.kind, table: a.table }, "alert resolved");
        await send(a, "resolved");
      }
    },
  };
}
