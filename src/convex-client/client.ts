// The one Convex client of pg2convex: sink, status, parity, teardown and demo all call Convex through it.
// It owns the official ConvexHttpClient, admin-key auth, the `module:name` function references, the per-call
// timeout, retries of retryable failures, and the mapping of every failure to a typed Pg2ConvexError
// (./errors). Callers name a mirror function and its arguments, nothing about HTTP.
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { Pg2ConvexError } from "../errors";
import { silentLogger, type Logger } from "../log";
import type { Op } from "../mirror-functions/wire/protocol";
import { classifyConvexError } from "./errors";
import { withRetries, type RetryOptions } from "./retry";
import { boundedFetch } from "./transport";

/**
 * Per attempt, from sending the request to the last byte of the answer. Generous: a mirror function stays
 * within Convex's per-function limits (about a second of work), so a minute means the deployment or the
 * network is stuck, not busy.
 */
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ConvexClientOptions extends RetryOptions {
  /** Deployment URL; errors show it without credentials. */
  url: string;
  adminKey: string;
  /** Convex module holding the mirror functions (file name without extension in convex/). */
  module: string;
  /** Per-attempt timeout (default DEFAULT_TIMEOUT_MS); a timed-out attempt is retried like a dropped connection. */
  timeoutMs?: number;
  /** Where retries are logged (warn); default silent. */
  logger?: Logger;
}

export interface CallOptions {
  /** Added to a failure's context and to retry log lines (batch id, LSN, table, …). */
  context?: Record<string, unknown>;
  /** The ops the call carries, so a validator error can name the table and field. */
  ops?: readonly Op[];
  /**
   * Send at once, beside the client's other mutations (convex's skipQueue): ConvexHttpClient otherwise sends
   * one mutation at a time. Only for callers that order their own calls (backfill pages in flight together).
   */
  concurrent?: boolean;
}

export interface ConvexClient {
  /** The module every function name is resolved in. */
  readonly module: string;
  query<T>(name: string, args: Record<string, unknown>, call?: CallOptions): Promise<T>;
  mutation<T>(name: string, args: Record<string, unknown>, call?: CallOptions): Promise<T>;
}

export function createConvexClient(opts: ConvexClientOptions): ConvexClient {
  let http: ConvexHttpClient;
  try {
    http = new ConvexHttpClient(opts.url, { fetch: boundedFetch(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS), logger: false });
  } catch (e) {
    throw new Pg2ConvexError("CONFIG_INVALID", `CONVEX_URL is not a usable Convex deployment URL: ${(e as Error).message}`, {
      cause: e,
      fix: "set CONVEX_URL (--convex-url) to the deployment URL: https://<deployment>.convex.cloud, or the URL `pg2convex local-convex` prints",
    });
  }
  // setAdminAuth is how Convex's own tooling calls internal functions; it is marked @internal in the types.
  (http as unknown as { setAdminAuth(key: string): void }).setAdminAuth(opts.adminKey);
  const logger = opts.logger ?? silentLogger;
  const policy: RetryOptions = { retries: opts.retries, minRetryMs: opts.minRetryMs, maxRetryMs: opts.maxRetryMs, maxOutageMs: opts.maxOutageMs, onRetry: opts.onRetry, observer: opts.observer, signal: opts.signal };

  const call = <T>(kind: "query" | "mutation", name: string, args: Record<string, unknown>, { context = {}, ops, concurrent = false }: CallOptions = {}): Promise<T> => {
    const fn = `${opts.module}:${name}`;
    const ref = makeFunctionReference<typeof kind>(fn) as any;
    return withRetries(
      async () => {
        try {
          return (kind === "mutation" ? await http.mutation(ref, args, { skipQueue: concurrent }) : await http.query(ref, args)) as T;
        } catch (e) {
          throw classifyConvexError(e, { function: fn, ...context, url: opts.url, ...(ops ? { ops } : {}) });
        }
      },
      policy,
      logger,
      { function: fn, ...context },
    );
  };

  return {
    module: opts.module,
    query: (name, args, c) => call("query", name, args, c),
    mutation: (name, args, c) => call("mutation", name, args, c),
  };
}
