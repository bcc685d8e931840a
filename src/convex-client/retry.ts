// The retry policy of every Convex call: exponential backoff with jitter, only for failures classified as
// retryable (network, timeouts, 5xx, write conflicts). Retrying is safe because every call pg2convex makes is
// idempotent (batches by version, claims by identity, parity reads are reads); it never reorders, because a
// caller awaits its call, retries included, before sending the next.
import pRetry from "p-retry";
import { Pg2ConvexError } from "../errors";
import type { Logger } from "../log";

export interface RetryOptions {
  /** Retries per call after the first attempt (default 8, `--retries`). */
  retries?: number;
  /** First backoff (default 200 ms); each next one doubles, up to maxRetryMs (default 30 s). */
  minRetryMs?: number;
  maxRetryMs?: number;
  /** Observes each retry, e.g. for metrics. */
  onRetry?: (error: Error, attempt: number) => void;
}

export const DEFAULT_RETRY = { retries: 8, minRetryMs: 200, maxRetryMs: 30_000 } as const;

/** Runs `attempt` (which throws classified errors) under the policy; each retry is logged at warn with `context`. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryOptions, logger: Logger, context: Record<string, unknown>): Promise<T> {
  let attempts = 0;
  return pRetry(
    async () => {
      attempts += 1;
      return attempt();
    },
    {
      retries: policy.retries ?? DEFAULT_RETRY.retries,
      factor: 2,
      minTimeout: policy.minRetryMs ?? DEFAULT_RETRY.minRetryMs,
      maxTimeout: policy.maxRetryMs ?? DEFAULT_RETRY.maxRetryMs,
      randomize: true,
      shouldRetry: ({ error }) => (error as { retryable?: boolean }).retryable === true,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if ((error as { retryable?: boolean }).retryable !== true || retriesLeft === 0) return;
        logger.warn({ err: { message: error.message }, attempt: attemptNumber, retriesLeft, ...context }, "Convex call failed; retrying");
        policy.onRetry?.(error, attemptNumber);
      },
    },
  ).catch((e: unknown) => {
    // A retryable failure that outlived its retries: the last attempt's message does not say that retrying stopped.
    if (e instanceof Pg2ConvexError && e.retryable && attempts > 1) {
      throw new Pg2ConvexError(e.code, `${e.message} (gave up after ${attempts} attempts)`, { retryable: true, context: e.context, cause: e.cause, ...(e.fix ? { fix: e.fix } : {}) });
    }
    throw e;
  });
}
