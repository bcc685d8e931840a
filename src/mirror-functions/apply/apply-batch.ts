// The applyBatch mutation body: one Convex transaction per batch.
//  0. A batch for another mirror than the one this deployment holds (or for lost state) is refused, and so is
//     one from an older leadership epoch (leader-epoch.ts).
//  1. A batch ending at a checkpoint not newer than the stored one was applied before: return at once; so
//     was any batch of a streamed transaction (args.stream) the stored checkpoint already passed.
//  2. A batch cut short earlier (same batchId) resumes at the recorded op; the ops before it already
//     committed and only count as "written in this batch" for the equal-version rule.
//  3. What the ops will look up is read ahead by key ranges (prefetch.ts). Ops run in order. Before each op
//     after the first, the real usage plus the most that op can spend (estimateOpCost: as if nothing had been
//     read ahead) must fit the budget; otherwise the batch stops (complete=false) and the bridge sends it again.
//  4. Deferred patches are flushed, carries not yet taken are stored (carry.ts), then the checkpoint moves
//     (only if the batch completed).
//  5. A completed batch reports every reject recorded under its batch id, also by earlier mutations of the
//     same batch (cut short, or sent again after a lost response), so the bridge logs each exactly once.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import type { ObjectType } from "convex/values";
import { afterBatch } from "./checkpoint-rules";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import type { MirrorConfig } from "../config";
import { BATCH_OVERHEAD, estimateOpCost } from "./cost";
import { MirrorTx } from "./mirror-tx";
import { assertMirror } from "./mirror-identity";
import { assertEpoch } from "./leader-epoch";
import { storeCarries } from "./carry";
import type { ApplyBatchResult, applyBatchArgs, RejectNotice } from "../wire/protocol";
import { applyDelete, applyReject, applyUpsert, type Outcome } from "./row-ops";
import { applyTruncate } from "./truncate";
import { prefetch } from "./prefetch";
import { DEFAULT_BUDGET, type Budget } from "./usage";

export type ApplyBatchArgs = ObjectType<typeof applyBatchArgs>;

export async function applyBatchHandler(config: MirrorConfig, ctx: GenericMutationCtx<GenericDataModel>, args: ApplyBatchArgs, budget: Budget = DEFAULT_BUDGET): Promise<ApplyBatchResult> {
  const stored = await loadCheckpoint(ctx.db, args.slot);
  assertMirror(stored, args.slot, args.mirrorId);
  assertEpoch(stored, args.slot, args.epoch);
  const result: ApplyBatchResult = { applied: 0, skipped: 0, rejected: 0, complete: true };
  const last = stored.fields.commitLsn;
  if (args.checkpoint && last !== undefined && args.checkpoint.commitLsn <= last && stored.fields.resume?.batchId !== args.batchId) {
    const skipped = { ...result, skipped: args.ops.length };
    // The same batch again: its first delivery committed but the bridge never saw the result.
    if (stored.fields.lastBatchId !== args.batchId) return skipped;
    return withRejects(skipped, await new MirrorTx(config, ctx.db, budget).system.rejectsOfBatch(args.batchId));
  }
  if (args.stream && last !== undefined && args.stream.commitLsn <= last) return { ...result, skipped: args.ops.length };
  const tx = new MirrorTx(config, ctx.db, budget, args.batchId);
  tx.streamVer = args.stream?.commitLsn ?? null;
  tx.usage.queries += 1; // the checkpoint read above
  const start = stored.fields.resume?.batchId === args.batchId ? stored.fields.resume.opIndex : 0;
  for (const op of args.ops.slice(0, start)) if (op.o === "upsert" || op.o === "delete") tx.touch(config.table(op.t).def.name, op.k);

  await prefetch(tx, args.ops.slice(start));
  let resumeAt: number | undefined;
  for (let i = start; i < args.ops.length; i++) {
    const op = args.ops[i]!;
    const cost = estimateOpCost(config.graph, op);
    const next = { queries: cost.queries, writes: cost.writes + BATCH_OVERHEAD.writes };
    // The first op always runs, so a re-sent batch always makes progress.
    if (i > start && !tx.usage.fits(next, tx.rows.pendingWrites)) {
      resumeAt = i;
      break;
    }
    const outcome = await applyOp(tx, op);
    if (outcome === "incomplete") {
      resumeAt = i;
      break;
    }
    result[outcome] += 1;
  }
  await tx.rows.flush();
  await storeCarries(tx);

  const fields = afterBatch(stored.fields, {
    batchId: args.batchId,
    ...(args.checkpoint ? { checkpoint: args.checkpoint } : {}),
    ...(args.backfill ? { backfill: args.backfill } : {}),
    ...(args.resync ? { resync: args.resync } : {}),
    ...(resumeAt !== undefined ? { resumeAt } : {}),
    now: Date.now(),
  });
  await saveCheckpoint(ctx.db, stored, fields);
  if (resumeAt !== undefined) return { ...result, complete: false };
  return withRejects(result, start > 0 ? await tx.system.rejectsOfBatch(args.batchId) : tx.rejects);
}

function withRejects(result: ApplyBatchResult, rejects: readonly RejectNotice[]): ApplyBatchResult {
  const unique = [...new Map(rejects.map((r) => [r.id, r])).values()];
  return unique.length > 0 ? { ...result, rejects: unique } : result;
}

function applyOp(tx: MirrorTx, op: ApplyBatchArgs["ops"][number]): Promise<Outcome | "incomplete"> {
  switch (op.o) {
    case "upsert":
      return applyUpsert(tx, op);
    case "delete":
      return applyDelete(tx, op);
    case "truncate":
      return applyTruncate(tx, op);
    case "reject":
      return applyReject(tx, op);
  }
}
