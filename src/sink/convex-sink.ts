// The Convex sink: one internal mutation per batch through the official ConvexHttpClient (admin-key auth).
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import pRetry from "p-retry";
import type { ApplyBatchResult, MirrorState } from "../mirror-functions/protocol";
import type { SettleResult } from "../mirror-functions/rejects";
import type { Logger } from "../log";
import { formatLsn } from "../model/lsn";
import type { Batch } from "../plan";
import type { BackfillMark, Sink } from "./index";
import { classifyConvexError, HttpStatusError } from "./classify";

export interface ConvexSinkOptions {
  url: string;
  adminKey: string;
  slot: string;
  /** Convex module holding the mirror functions (file name without extension in convex/). */
  module: string;
  logger: Logger;
  /** Retries per call for transient failures (network, 5xx, write conflicts). */
  retries?: number;
  minRetryMs?: number;
  maxRetryMs?: number;
  /** Observes each retry, e.g. for metrics. */
  onRetry?: (error: Error, attempt: number) => void;
}

/** Keeps the HTTP status of non-function failures (ConvexHttpClient only keeps the body text). */
const statusKeepingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  // 560 is Convex's "function failed" status: the client parses that body itself.
  if (!res.ok && res.status !== 560) throw new HttpStatusError(res.status, await res.text());
  return res;
};

export function createConvexSink(opts: ConvexSinkOptions): Sink {
  const client = new ConvexHttpClient(opts.url, { fetch: statusKeepingFetch, logger: false });
  // setAdminAuth is how Convex's own tooling calls internal functions; it is marked @internal in the types.
  (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(opts.adminKey);
  const fn = (name: string) => `${opts.module}:${name}`;

  async function call<T>(kind: "mutation" | "query", name: string, args: Record<string, unknown>, context: Record<string, unknown>): Promise<T> {
    return pRetry(
      async () => {
        try {
          const ref = makeFunctionReference<typeof kind>(fn(name)) as any;
          return (kind === "mutation" ? await client.mutation(ref, args) : await client.query(ref, args)) as T;
        } catch (e) {
          throw classifyConvexError(e, { function: fn(name), ...context });
        }
      },
      {
        retries: opts.retries ?? 8,
        factor: 2,
        minTimeout: opts.minRetryMs ?? 200,
        maxTimeout: opts.maxRetryMs ?? 30_000,
        randomize: true,
        shouldRetry: ({ error }) => (error as { retryable?: boolean }).retryable === true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if ((error as { retryable?: boolean }).retryable !== true || retriesLeft === 0) return;
          opts.logger.warn({ err: { message: error.message }, attempt: attemptNumber, retriesLeft, ...context }, "Convex call failed; retrying");
          opts.onRetry?.(error, attemptNumber);
        },
      },
    );
  }

  return {
    async apply(batch: Batch, backfill?: BackfillMark): Promise<ApplyBatchResult> {
      const context = { batchId: batch.id, ops: batch.ops.length, lsn: batch.checkpoint ? formatLsn(batch.checkpoint.commitLsn) : undefined };
      const args: Record<string, unknown> = { slot: opts.slot, batchId: batch.id, ops: batch.ops };
      if (batch.checkpoint) args.checkpoint = batch.checkpoint;
      if (backfill) args.backfill = backfill;
      // A truncate too large for one mutation returns complete:false; the same batch is sent again and
      // everything it already did is a no-op by version.
      for (;;) {
        const result = await call<ApplyBatchResult>("mutation", "applyBatch", args, context);
        if (result.complete) return result;
        opts.logger.debug(context, "batch incomplete (large truncate); sending it again");
      }
    },
    state: () => call<MirrorState>("query", "getState", { slot: opts.slot }, {}),
    async beginBackfill(snapshotLsn, tables) {
      await call("mutation", "beginBackfill", { slot: opts.slot, snapshotLsn, tables: [...tables] }, { snapshotLsn: formatLsn(snapshotLsn) });
    },
    async finishBackfill(position) {
      await call("mutation", "finishBackfill", { slot: opts.slot, ...position }, { lsn: formatLsn(position.commitLsn) });
    },
    settleRejects: (args) => call<SettleResult>("mutation", "settleRejects", args, {}),
  };
}
