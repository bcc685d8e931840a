// Decides whether a failed Convex call may be retried. Retrying is always safe (batches are idempotent);
// the question is only whether it can help.
import { ConvexError } from "convex/values";
import { Pg2ConvexError } from "../errors";
import { mirrorRefusal } from "./mirror-refusal";
import { isMirrorErrorData } from "../mirror-functions/mirror-identity";

/** Thrown by our fetch wrapper so the HTTP status survives ConvexHttpClient. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

const TRANSIENT_MESSAGES = [
  /OptimisticConcurrencyControlFailure/i,
  /changed while this mutation was being run/i,
  /\bconflict/i,
  /overloaded|temporarily unavailable|try again/i,
  /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|network/i,
];

const LIMIT_MESSAGES = /too many|too much|limit|too large/i;

export function classifyConvexError(e: unknown, context: Record<string, unknown>): Pg2ConvexError {
  if (e instanceof Pg2ConvexError) return e;
  if (e instanceof ConvexError && isMirrorErrorData(e.data)) return mirrorRefusal(e.data, context, e);
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof HttpStatusError) {
    if (e.status === 401 || e.status === 403) {
      return new Pg2ConvexError("CONVEX_AUTH", `Convex rejected the admin key (HTTP ${e.status})`, {
        context,
        cause: e,
        fix: "set CONVEX_ADMIN_KEY to a deploy or admin key of this deployment",
      });
    }
    const transient = e.status >= 500 || e.status === 429 || e.status === 408;
    return new Pg2ConvexError(transient ? "CONVEX_TRANSIENT" : "CONVEX_PERMANENT", `Convex call failed: ${message}`, { retryable: transient, context, cause: e });
  }
  if (TRANSIENT_MESSAGES.some((r) => r.test(message)) || (e instanceof TypeError && /fetch/i.test(message))) {
    return new Pg2ConvexError("CONVEX_TRANSIENT", `Convex call failed, will retry: ${message}`, { retryable: true, context, cause: e });
  }
  if (LIMIT_MESSAGES.test(message)) {
    return new Pg2ConvexError("BATCH_TOO_LARGE", `Convex refused the batch as over a limit: ${message}`, {
      context,
      cause: e,
      fix: "lower --max-batch-ops; the planner's cost estimate under-counted this batch",
    });
  }
  return new Pg2ConvexError("CONVEX_PERMANENT", `Convex mutation failed: ${message}`, { context, cause: e });
}
