// Instrumentation as a wrapper around the sink: backfill and stream hand their batches to the same Sink, and
// this one apply path records what each batch did — metrics, logs, rejects and, while streaming, the checkpoint.
// Invariants:
//  - everything is recorded only after the inner apply() resolved, i.e. once the batch is durable in Convex; so a
//    batch's checkpoint moves the tracker (and with it PostgreSQL's confirmed_flush_lsn) only after Convex
//    recorded it (src/checkpoint);
//  - the checkpoint and onApplied belong to the stream (trackStream): backfill batches carry no checkpoint, and
//    the stream's tracker can only exist once backfill has fixed where the stream starts;
//  - every other Sink call passes through unchanged.
import type { Logger } from "../log";
import type { Metrics } from "../observability/metrics";
import type { Batch } from "../plan";
import type { BackfillMark, Sink } from "../sink";
import type { ResyncProgress } from "../mirror-functions/wire/protocol";
import type { CheckpointTracker } from "../checkpoint";
import { formatKey } from "../model/key";
import { formatLsn } from "../model/lsn";
import type { RejectTracker } from "./rejects";

export interface SinkInstruments {
  logger: Logger;
  metrics?: Metrics;
  /** Told about each batch's rejects, to settle the open ones it supersedes (rejects.ts). */
  rejects?: RejectTracker;
}

export interface StreamObservers {
  /** Moved to each batch's checkpoint once the batch is durable. */
  checkpoint: CheckpointTracker;
  /** Observes every streamed batch once it is durable in Convex (bench, tests). */
  onApplied?: (batch: Batch, appliedAt: number) => void;
}

export interface InstrumentedSink extends Sink {
  /** From now on the batches are the stream's: each one is reported to `observers` once durable. */
  trackStream(observers: StreamObservers): void;
}

export function instrumentSink(sink: Sink, instruments: SinkInstruments): InstrumentedSink {
  const { logger, metrics, rejects } = instruments;
  let stream: StreamObservers | null = null;
  const settleRejects = sink.settleRejects?.bind(sink);

  const apply = async (batch: Batch, backfill?: BackfillMark, resync?: ResyncProgress) => {
    const started = performance.now();
    const log = logger.child({ op: batch.id });
    const result = await sink.apply(batch, backfill, resync);
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
    log.debug({ ops: batch.ops.length, txs: batch.txCount, applied: result.applied, skipped: result.skipped, ms: Math.round(seconds * 1000), part: batch.part, lsn: batch.checkpoint && formatLsn(batch.checkpoint.commitLsn) }, "batch applied");
    stream?.onApplied?.(batch, Date.now());
    if (batch.checkpoint && stream) {
      stream.checkpoint.durable(batch.checkpoint);
      metrics?.checkpointLsn.set(Number(batch.checkpoint.endLsn));
    }
    await rejects?.afterBatch(batch, result);
    return result;
  };

  return {
    apply,
    trackStream(observers) {
      stream = observers;
    },
    state: () => sink.state(),
    claimMirror: (mirror, continuing) => sink.claimMirror(mirror, continuing),
    ...(sink.claimLeadership ? { claimLeadership: sink.claimLeadership.bind(sink) } : {}),
    beginBackfill: (snapshotLsn, tables) => sink.beginBackfill(snapshotLsn, tables),
    finishBackfill: (position) => sink.finishBackfill(position),
    ...(settleRejects ? { settleRejects } : {}),
  };
}
