// The Convex sink: one internal mutation per batch, through the shared Convex client (../convex-client),
// which owns admin auth, timeouts, retries and error mapping. This file only knows which mirror function each
// Sink method calls and what it sends.
import type { ApplyBatchResult, MirrorIdentity, MirrorState, ResyncProgress } from "../mirror-functions/wire/protocol";
import type { SettleResult } from "../mirror-functions/apply/rejects";
import type { Logger } from "../log";
import { formatLsn } from "../model/lsn";
import type { Batch } from "../plan";
import type { BackfillMark, Sink } from "./sink";
import { createConvexClient, type RetryOptions } from "../convex-client";

export interface ConvexSinkOptions extends RetryOptions {
  url: string;
  adminKey: string;
  slot: string;
  /** Convex module holding the mirror functions (file name without extension in convex/). */
  module: string;
  logger: Logger;
  /** Per-attempt timeout of each Convex call (default: the client's). */
  timeoutMs?: number;
}

export function createConvexSink(opts: ConvexSinkOptions): Sink {
  const client = createConvexClient(opts);
  // Set by claimMirror; from then on every writing call names the mirror it is for.
  let mirrorId: string | undefined;
  // Set by claimLeadership; from then on every writing call carries the epoch (fencing of deposed leaders).
  let epoch: number | undefined;
  const forMirror = (): { mirrorId?: string; epoch?: number } => ({ ...(mirrorId === undefined ? {} : { mirrorId }), ...(epoch === undefined ? {} : { epoch }) });
  const mutation = <T>(name: string, args: Record<string, unknown>, context: Record<string, unknown>) => client.mutation<T>(name, args, { context });

  return {
    async apply(batch: Batch, backfill?: BackfillMark, resync?: ResyncProgress): Promise<ApplyBatchResult> {
      const context = { batchId: batch.id, ops: batch.ops.length, lsn: batch.checkpoint ? formatLsn(batch.checkpoint.commitLsn) : undefined };
      const args: Record<string, unknown> = { slot: opts.slot, ...forMirror(), batchId: batch.id, ops: batch.ops };
      if (batch.checkpoint) args.checkpoint = batch.checkpoint;
      if (batch.stream) args.stream = batch.stream;
      if (backfill) args.backfill = backfill;
      if (resync) args.resync = resync;
      // Batches skip the client's one-at-a-time queue: the stream sends one at a time itself, the backfill
      // schedules several pages at once (backfill/schedule.ts) and orders them itself.
      // A truncate too large for one mutation returns complete:false; the same batch is sent again and
      // everything it already did is a no-op by version.
      for (;;) {
        const result = await client.mutation<ApplyBatchResult>("applyBatch", args, { context, ops: batch.ops, concurrent: true });
        if (result.complete) return result;
        opts.logger.debug(context, "batch incomplete (large truncate); sending it again");
      }
    },
    state: () => client.query<MirrorState>("getState", { slot: opts.slot }),
    async claimMirror(mirror: MirrorIdentity, continuing: boolean) {
      await mutation("claimMirror", { slot: opts.slot, mirror, continuing, ...(epoch === undefined ? {} : { epoch }) }, { mirrorId: mirror.mirrorId });
      mirrorId = mirror.mirrorId;
    },
    async claimLeadership(holder: string) {
      const claimed = await mutation<{ epoch: number; previous: string | null }>("claimLeadership", { slot: opts.slot, holder }, { holder });
      epoch = claimed.epoch;
      return claimed;
    },
    async beginBackfill(snapshotLsn, tables) {
      await mutation("beginBackfill", { slot: opts.slot, ...forMirror(), snapshotLsn, tables: [...tables] }, { snapshotLsn: formatLsn(snapshotLsn) });
    },
    async finishBackfill(position) {
      await mutation("finishBackfill", { slot: opts.slot, ...forMirror(), commitLsn: position.commitLsn, endLsn: position.endLsn }, { lsn: formatLsn(position.commitLsn) });
    },
    settleRejects: (args) => mutation<SettleResult>("settleRejects", args, {}),
  };
}
