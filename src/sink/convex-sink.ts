// The Convex sink: one internal mutation per batch through the official ConvexHttpClient (admin-key auth).
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import pRetry from "p-retry";
import type { ApplyBatchResult, MirrorIdentity, MirrorState, Op } from "../mirror-functions/wire/protocol";
import { Pg2ConvexError } from "../errors";
import type { SettleResult } from "../mirror-functions/apply/rejects";
import type { Logger } from "../log";
import { formatLsn } from "../model/lsn";
import type { Batch } from "../plan";
import type { BackfillMark, Sink } from "./index";
import { classifyConvexError, HttpStatusError } from "../convex-client/errors";

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
  if (!res.ok && res.status !== 560) throw new HttpStatusError(res.status, await res.text(), new URL(res.url || String(input)).pathname);
  return res;
};

export function createConvexSink(opts: ConvexSinkOptions): Sink {
  let client: ConvexHttpClient;
  try {
    client = new ConvexHttpClient(opts.url, { fetch: statusKeepingFetch, logger: false });
  } catch (e) {
    throw new Pg2ConvexError("CONFIG_INVALID", `CONVEX_URL is not a usable Convex deployment URL: ${(e as Error).message}`, {
      cause: e,
      fix: "set CONVEX_URL (--convex-url) to the deployment URL: https://<deployment>.convex.cloud, or the URL `pg2convex local-convex` prints",
    });
  }
  // setAdminAuth is how Convex's own tooling calls internal functions; it is marked @internal in the types.
  (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(opts.adminKey);
  const fn = (name: string) => `${opts.module}:${name}`;
  // Set by claimMirror; from then on every writing call names the mirror it is for.
  let mirrorId: string | undefined;
  const forMirror = (): { mirrorId?: string } => (mirrorId === undefined ? {} : { mirrorId });

  async function call<T>(kind: "mutation" | "query", name: string, args: Record<string, unknown>, context: Record<string, unknown>, ops?: readonly Op[]): Promise<T> {
    let attempts = 0;
    return pRetry(
      async () => {
        attempts += 1;
        try {
          const ref = makeFunctionReference<typeof kind>(fn(name)) as any;
          return (kind === "mutation" ? await client.mutation(ref, args) : await client.query(ref, args)) as T;
        } catch (e) {
          throw classifyConvexError(e, { function: fn(name), ...context, url: opts.url, ...(ops ? { ops } : {}) });
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
    ).catch((e: unknown) => {
      // A retryable failure that outlived its retries: the last attempt's message does not say that retrying stopped.
      if (e instanceof Pg2ConvexError && e.retryable && attempts > 1) {
        throw new Pg2ConvexError(e.code, `${e.message} (gave up after ${attempts} attempts)`, { retryable: true, context: e.context, cause: e.cause, ...(e.fix ? { fix: e.fix } : {}) });
      }
      throw e;
    });
  }

  return {
    async apply(batch: Batch, backfill?: BackfillMark): Promise<ApplyBatchResult> {
      const context = { batchId: batch.id, ops: batch.ops.length, lsn: batch.checkpoint ? formatLsn(batch.checkpoint.commitLsn) : undefined };
      const args: Record<string, unknown> = { slot: opts.slot, ...forMirror(), batchId: batch.id, ops: batch.ops };
      if (batch.checkpoint) args.checkpoint = batch.checkpoint;
      if (backfill) args.backfill = backfill;
      // A truncate too large for one mutation returns complete:false; the same batch is sent again and
      // everything it already did is a no-op by version.
      for (;;) {
        const result = await call<ApplyBatchResult>("mutation", "applyBatch", args, context, batch.ops);
        if (result.complete) return result;
        opts.logger.debug(context, "batch incomplete (large truncate); sending it again");
      }
    },
    state: () => call<MirrorState>("query", "getState", { slot: opts.slot }, {}),
    async claimMirror(mirror: MirrorIdentity, continuing: boolean) {
      await call("mutation", "claimMirror", { slot: opts.slot, mirror, continuing }, { mirrorId: mirror.mirrorId });
      mirrorId = mirror.mirrorId;
    },
    async beginBackfill(snapshotLsn, tables) {
      await call("mutation", "beginBackfill", { slot: opts.slot, ...forMirror(), snapshotLsn, tables: [...tables] }, { snapshotLsn: formatLsn(snapshotLsn) });
    },
    async finishBackfill(position) {
      await call("mutation", "finishBackfill", { slot: opts.slot, ...forMirror(), commitLsn: position.commitLsn, endLsn: position.endLsn }, { lsn: formatLsn(position.commitLsn) });
    },
    settleRejects: (args) => call<SettleResult>("mutation", "settleRejects", args, {}),
  };
}
