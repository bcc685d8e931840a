// Outages of the bridge's two dependencies (PostgreSQL, Convex) while it rides them out. Invariants:
//  - one log line per state change, never per attempt: "down" on the first failed attempt, "still down" at most
//    every `stillDownEveryMs`, "recovered after N s" on the first success;
//  - while down, /healthz is degraded naming the dependency, since when and the last error (HealthReasons key
//    `outage:<dependency>`); cleared on recovery;
//  - metrics: pg2convex_retry_attempts_total{dependency} (failed attempts that will be retried),
//    pg2convex_outage_seconds_total{dependency} (all outage time, the current one included up to the scrape) and
//    pg2convex_outage_current_seconds{dependency} (0 when up).
import { Counter, Gauge, type Registry } from "prom-client";
import type { Logger } from "../log";
import { Pg2ConvexError } from "../errors";
import type { HealthReasons } from "./health";

export type Dependency = "postgres" | "convex";
const DEPENDENCIES: readonly Dependency[] = ["postgres", "convex"];
const WHAT: Record<Dependency, string> = { postgres: "PostgreSQL", convex: "Convex" };

export interface OutageTracker {
  /** A call to `dep` failed with a retryable error and will be retried. */
  failed(dep: Dependency, error: Pg2ConvexError): void;
  /** A call to `dep` succeeded: ends its outage, if any. */
  recovered(dep: Dependency): void;
  /** Milliseconds `dep` has been down (0 when up). */
  downForMs(dep: Dependency): number;
}

interface Down {
  since: number;
  attempts: number;
  lastLog: number;
  accounted: number;
}

export function createOutageTracker(opts: { logger: Logger; registry?: Registry; reasons?: HealthReasons; stillDownEveryMs?: number; now?: () => number }): OutageTracker {
  const now = opts.now ?? Date.now;
  const every = opts.stillDownEveryMs ?? 5 * 60_000;
  const down = new Map<Dependency, Down>();
  const registers = opts.registry ? [opts.registry] : [];
  const attempts = new Counter({ name: "pg2convex_retry_attempts_total", help: "Failed calls to a dependency that were retried", labelNames: ["dependency"], registers });
  const seconds = new Counter({
    name: "pg2convex_outage_seconds_total",
    help: "Seconds a dependency was unreachable or failing transiently (the current outage included)",
    labelNames: ["dependency"],
    registers,
    collect() {
      for (const dep of DEPENDENCIES) account(dep);
    },
  });
  const current = new Gauge({
    name: "pg2convex_outage_current_seconds",
    help: "Seconds the current outage of a dependency has lasted (0 when it is up)",
    labelNames: ["dependency"],
    registers,
    collect() {
      for (const dep of DEPENDENCIES) this.set({ dependency: dep }, tracker.downForMs(dep) / 1000);
    },
  });
  for (const dep of DEPENDENCIES) {
    attempts.inc({ dependency: dep }, 0);
    seconds.inc({ dependency: dep }, 0);
    current.set({ dependency: dep }, 0);
  }
  const account = (dep: Dependency) => {
    const d = down.get(dep);
    if (!d) return;
    const t = now();
    seconds.inc({ dependency: dep }, (t - d.accounted) / 1000);
    d.accounted = t;
  };
  const reason = (dep: Dependency, d: Down, e: Pg2ConvexError) => `${WHAT[dep]} unreachable since ${new Date(d.since).toISOString()} (${d.attempts} failed attempt${d.attempts === 1 ? "" : "s"}): [${e.code}] ${e.message.slice(0, 300)}`;

  const tracker: OutageTracker = {
    failed(dep, e) {
      attempts.inc({ dependency: dep });
      const t = now();
      let d = down.get(dep);
      if (!d) {
        d = { since: t, attempts: 0, lastLog: t, accounted: t };
        down.set(dep, d);
        opts.logger.warn({ dependency: dep, err: { code: e.code, message: e.message } }, `${WHAT[dep]} is down; retrying with backoff until it is back`);
      } else if (t - d.lastLog >= every) {
        d.lastLog = t;
        opts.logger.warn({ dependency: dep, downSeconds: Math.round((t - d.since) / 1000), attempts: d.attempts + 1, err: { code: e.code, message: e.message } }, `${WHAT[dep]} is still down`);
      }
      d.attempts += 1;
      opts.reasons?.set(`outage:${dep}`, reason(dep, d, e));
    },
    recovered(dep) {
      const d = down.get(dep);
      if (!d) return;
      account(dep);
      down.delete(dep);
      opts.reasons?.clear(`outage:${dep}`);
      opts.logger.info({ dependency: dep, downSeconds: Math.round((now() - d.since) / 1000), attempts: d.attempts }, `${WHAT[dep]} recovered after ${Math.round((now() - d.since) / 1000)} s`);
    },
    downForMs(dep) {
      const d = down.get(dep);
      return d ? now() - d.since : 0;
    },
  };
  return tracker;
}

/** `e`, saying the process gave up after PostgreSQL failed for longer than --max-outage (supervisor and lease). */
export function outageTooLong(e: Pg2ConvexError, downMs: number): Pg2ConvexError {
  const message = `${e.message} (gave up: PostgreSQL failing for ${Math.round(downMs / 1000)} s, longer than --max-outage)`;
  return new Pg2ConvexError(e.code, message, { retryable: true, context: e.context, cause: e.cause, ...(e.fix ? { fix: e.fix } : {}) });
}
