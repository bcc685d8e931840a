// Runs the streaming stages once they are built: source → decoder → assembler → (values slot) → batcher → sink.
// Invariants:
//  - the message handler and the flush timer go through one serial queue, so batches reach the sink in WAL order;
//  - a failed batch is fatal: its transactions left the batcher, so going on would let a later checkpoint pass
//    them. Stopping leaves the checkpoint where it was; a restart replays from there;
//  - transactions without mirrored rows are confirmed only through a checkpoint-only batch (empty-checkpoints.ts).
import type { Logger } from "../log";
import type { ChangeSource, WalMessage } from "../source";
import type { Decoder } from "../decode";
import type { TransactionAssembler } from "../assemble";
import type { Batch, Batcher } from "../plan";
import type { Sink } from "../sink";
import type { AssembledUnit } from "../model/changes";
import type { Lsn } from "../model/lsn";
import { Pg2ConvexError } from "../errors";
import { createSerialQueue } from "./serial";
import { createEmptyCheckpoints } from "./empty-checkpoints";
import type { ValuesSlotStage } from "./values-slot";

export interface StreamStages {
  source: ChangeSource;
  decoder: Decoder;
  assembler: TransactionAssembler;
  /** Settles NaN/±Infinity that arrived as null (wal2json 2.5); null when the slot prints them as text. */
  values: ValuesSlotStage | null;
  batcher: Batcher;
  sink: Sink;
  logger: Logger;
  flushIntervalMs: number;
  /** Closes what the stream took over (the SQL session) once the stream has ended, however it ended. */
  release: () => Promise<void>;
}

export interface RunningStream {
  /** Settles when the stream ends: resolves after stop(), rejects on a fatal error. */
  readonly done: Promise<void>;
  /** Graceful stop: finishes the in-flight batch, flushes what is pending, then closes the stream. */
  stop(): Promise<void>;
}

export function runStream(from: Lsn, stages: StreamStages): RunningStream {
  const { source, decoder, assembler, values, batcher, sink, logger } = stages;
  const empties = createEmptyCheckpoints();
  const queue = createSerialQueue();
  let stopping = false;
  let fatal: unknown = null;
  const fail = (e: unknown) => {
    if (fatal) return;
    fatal = e;
    logger.error({ err: e instanceof Pg2ConvexError ? e.toJSON() : String(e) }, "stream stopped by a permanent failure");
    source.stop().catch(() => undefined);
  };

  const applyAll = async (batches: Batch[]) => {
    for (const batch of batches) await sink.apply(batch);
  };
  // Closes the pending batch, then writes the checkpoint-only batch if one is due (`force`: on stop, whenever).
  const flush = async (force: boolean) => {
    await applyAll(batcher.flush());
    const marker = empties.take(force);
    if (marker) await sink.apply(marker);
  };

  // A unit is a whole transaction or one part of a large one (assemble/parts.ts); parts are applied as they come.
  const onTransaction = async (raw: AssembledUnit) => {
    if (raw.changes.length === 0 && !("part" in raw) && batcher.pendingTransactions() === 0) {
      // Nothing mirrored and nothing waiting: confirmed once a (throttled) checkpoint-only batch records it.
      empties.seen({ commitLsn: raw.commitLsn, endLsn: raw.endLsn });
      return;
    }
    empties.covered();
    const tx = values ? await values.resolve(raw) : raw;
    await applyAll(batcher.add(tx));
  };

  const onMessage = (msg: WalMessage) =>
    queue
      .run(async () => {
        if (fatal) throw fatal;
        const tx = assembler.push(decoder.decode(msg), msg.text.length);
        if (tx) await onTransaction(tx);
      })
      .catch((e: unknown) => {
        fail(e);
        throw e;
      });

  const timer = setInterval(() => {
    if (stopping || (batcher.pendingTransactions() === 0 && !empties.pending())) return;
    queue
      .run(async () => {
        if (fatal) return;
        await flush(false);
      })
      .catch(fail);
  }, stages.flushIntervalMs);

  const done = source
    .stream(from, onMessage)
    .then(() => {
      if (fatal) throw fatal;
    })
    .finally(async () => {
      clearInterval(timer);
      await stages.release();
    });

  return {
    done,
    async stop() {
      if (stopping) return done.catch(() => undefined);
      stopping = true;
      logger.info("stopping: finishing the in-flight batch");
      await queue
        .run(async () => {
          if (fatal) return;
          await flush(true);
        })
        .catch(fail);
      await source.stop();
      await done.catch(() => undefined);
    },
  };
}
