// The retry policy of every Convex call: capped exponential backoff with jitter, only for failures classified as
// retryable (network, timeouts, 5xx, 429/503 overload, write conflicts). Retrying is safe because every call
// pg2convex makes is idempotent (batches by version, claims by identity, parity reads are reads); it never
// reorders, because a caller awaits its call, retries included, before sending the next.
// Invariants:
//  - the decision to retry is the error's own `retryable` (decided where it was classified), nothing else;
//  - a call gives up only when its retry budget is spent: `retries` attempts (one-shot commands) or, for the
//    sidecar (`retries: Infinity`), an outage longer than `maxOutageMs` (`--max-outage`, default unlimited);
//  - with an `observer`, attempts are reported to it (it logs state changes: down / still down / recovered) and
//    nothing is logged per attempt above debug; without one, each retry is logged at warn;
//  - an aborted `signal` (leadership lost, a stop that ran out of time) ends the call at once: no attempt starts
//    after it, the wait between attempts ends, and the call rejects with the signal's reason (with the last
//    failure, marked as given up, when the reason is not a Pg2ConvexError).
import { Pg2ConvexError } from "../errors";
import type { Logger } from "../log";

/** Told about every failed attempt and every success, to track an outage (src/observability/outage.ts). */
export interface RetryObserver {
  failed(error: Pg2ConvexError, attempt: number): void;
  succeeded(): void;
}

export interface RetryOptions {
  /** Retries per call after the first attempt (default 8, `--retries`); Infinity: until maxOutageMs. */
  retries?: number;
  /** First backoff (default 200 ms); each next one doubles, up to maxRetryMs (default 30 s). */
  minRetryMs?: number;
  maxRetryMs?: number;
  /** Give up once a call has failed for longer than this (default: never). */
  maxOutageMs?: number;
  /** Observes each retry, e.g. for metrics. */
  onRetry?: (error: Error, attempt: number) => void;
  observer?: RetryObserver;
  /** Aborting ends the call at once (no further attempt): it rejects with the signal's reason. */
  signal?: AbortSignal;
}

export const DEFAULT_RETRY = { retries: 8, minRetryMs: 200, maxRetryMs: 30_000 } as const;

/** Backoff before retry number `retry` (1-based): min·2^(retry-1) capped at max, then "equal jitter" (½..1 of it). */
export function backoffMs(retry: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const capped = Math.min(maxMs, minMs * 2 ** Math.min(retry - 1, 30));
  return Math.round(capped / 2 + (capped / 2) * random());
}

/** Runs `attempt` (which throws classified errors) under the policy. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryOptions, logger: Logger, context: Record<string, unknown>): Promise<T> {
  const retries = policy.retries ?? DEFAULT_RETRY.retries;
  const minMs = policy.minRetryMs ?? DEFAULT_RETRY.minRetryMs;
  const maxMs = policy.maxRetryMs ?? DEFAULT_RETRY.maxRetryMs;
  const firstFailure = { at: 0 };
  let last: Pg2ConvexError | null = null;
  const aborted = (n: number) => {
    const reason: unknown = policy.signal?.reason;
    if (reason instanceof Pg2ConvexError || last === null) return reason;
    return gaveUp(last, n, Date.now() - firstFailure.at, policy);
  };
  for (let n = 1; ; n++) {
    if (policy.signal?.aborted) throw aborted(n - 1);
    try {
      const result = await attempt();
      if (n > 1) policy.observer?.succeeded();
      return result;
    } catch (e) {
      if (!(e instanceof Pg2ConvexError) || !e.retryable) throw e;
      last = e;
      // Aborted while the attempt ran (an attempt in flight is not cut short: it ends or times out).
      if (policy.signal?.aborted) throw aborted(n);
      firstFailure.at ||= Date.now();
      const outageMs = Date.now() - firstFailure.at;
      const spent = n > retries || (policy.maxOutageMs !== undefined && outageMs >= policy.maxOutageMs);
      if (spent) throw gaveUp(e, n, outageMs, policy);
      policy.observer?.failed(e, n);
      policy.onRetry?.(e, n);
      const log = { err: { message: e.message }, attempt: n, ...context };
      if (policy.observer) logger.debug(log, "Convex call failed; retrying");
      else logger.warn({ ...log, retriesLeft: retries - n }, "Convex call failed; retrying");
      await sleep(backoffMs(n, minMs, maxMs), policy.signal);
    }
  }
}

// A retryable failure that outlived its budget: the last attempt's message does not say that retrying stopped.
function gaveUp(e: Pg2ConvexError, attempts: number, outageMs: number, policy: RetryOptions): Pg2ConvexError {
  if (attempts <= 1 && !policy.signal?.aborted) return e;
  const why = policy.maxOutageMs !== undefined && outageMs >= policy.maxOutageMs ? `failing for ${Math.round(outageMs / 1000)} s, longer than --max-outage` : policy.signal?.aborted ? "stopping" : `${attempts} attempts`;
  return new Pg2ConvexError(e.code, `${e.message} (gave up after ${why})`, { retryable: true, context: e.context, cause: e.cause, ...(e.fix ? { fix: e.fix } : {}) });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
