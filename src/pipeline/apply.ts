// Applies one batch through the sink and records what it did: metrics, logs, checkpoint, rejects.
import type { Logger } from "../log";
import type { Metrics } from "../observability/metrics";
import type { Batch } from "../plan";
import type { Sink, BackfillMark } from "../sink";
import type { CheckpointTracker } from "../checkpoint";
import { formatKey } from "../model/key";
import { formatLsn } from "../model/lsn";
import type { RejectTracker } from "./rejects";

export async function applyBatch(
  deps: { sink: Sink; logger: Logger; metrics?: Metrics; checkpoint?: CheckpointTracker; rejects?: RejectTracker; onApplied?: (batch: Batch, appliedAt: number) => void },
  batch: Batch,
  backfill?: BackfillMark,
): Promise<void> {
  const { sink, logger, metrics, checkpoint } = deps;
  const started = performance.now();
  const log = logger.child({ op: batch.id });
  const result = await sink.apply(batch, backfill);
  const seconds = (performance.now() - started) / 1000;
  metrics?.batchSeconds.observe(seconds);
  metrics?.batches.inc({ kind: backfill ? "backfill" : "stream" });
  for (const op of batch.ops) if (op.o === "upsert" || op.o === "delete") metrics?.rowsApplied.inc({ table: op.t });
  if (batch.lastCommitTime && !backfill) metrics?.commitToVisibleSeconds.observe(Math.max(0, (Date.now() - batch.lastCommitTime.getTime()) / 1000));
  // One path for every reject: those the bridge planned and those the mutation decided (e.g. a partial update
  // with no row to merge into), as the mutation recorded them, each reported once per batch.
  for (const r of result.rejects ?? []) {
    metrics?.rejects.inc({ code: r.code });
    log.error({ table: r.table, key: formatKey(r.key), lsn: formatLsn(r.ver), code: r.code, reason: r.reason }, "row recorded as reject");
  }
  log.debug(
    { ops: batch.ops.length, txs: batch.txCount, applied: result.applied, skipped: result.skipped, ms: Math.round(seconds * 1000), part: batch.part, lsn: batch.checkpoint && formatLsn(batch.checkpoint.commitLsn) },
    "batch applied",
  );
  deps.onApplied?.(batch, Date.now());
  if (batch.checkpoint && checkpoint) {
    checkpoint.durable(batch.checkpoint);
    metrics?.checkpointLsn.set(Number(batch.checkpoint.endLsn));
  }
  await deps.rejects?.afterBatch(batch, result);
}
