// Runs the streaming stages once they are built: source → decoder → assembler → (values slot) → batcher → sink.
// Invariants:
//  - the message handler and the timer go through one serial queue, and batches leave through one pump with at
//    most one mutation in flight (group commit, below), so batches reach the sink in WAL order while the next
//    ones are decoded and planned;
//  - a failed batch is fatal: its transactions left the batcher, so going on would let a later checkpoint pass
//    them. Stopping leaves the checkpoint where it was; a restart replays from there;
//  - transactions without mirrored rows are confirmed only through a checkpoint-only batch (empty-checkpoints.ts);
//  - abort() (the SQL session was lost) ends the replication stream at once, without waiting for the in-flight
//    batch or flushing: a PostgreSQL fast shutdown waits for its walsenders, and nothing pending is lost (the
//    checkpoint did not pass it, so the next stream replays it). With `settleMs` (a leader's abort: a late write of
//    this stream is refused by epoch once the next start claimed a new one) it waits at most that long for the
//    in-flight batch and the source to end, then `done` rejects with the abort reason and release() runs anyway.
import type { Logger } from "../log";
import type { ChangeSource, WalMessage } from "../source";
import type { Decoder } from "../decode";
import type { TransactionAssembler } from "../assemble";
import type { Batch, Batcher } from "../plan";
import type { Sink } from "../sink";
import { isLeadingPart, type AssembledUnit } from "../model/changes";
import type { Lsn } from "../model/lsn";
import { Pg2ConvexError } from "../errors";
import { createSerialQueue } from "./serial";
import { createEmptyCheckpoints } from "./empty-checkpoints";
import type { ValuesSlotStage } from "./values-slot";

export interface StreamStages {
  source: ChangeSource;
  /** May answer later: resolving a new partition or recording drift reaches PostgreSQL or Convex (stream-decoder.ts). */
  decoder: { decode(msg: WalMessage): ReturnType<Decoder["decode"]> | Promise<ReturnType<Decoder["decode"]>> };
  assembler: TransactionAssembler;
  /** Settles NaN/±Infinity that arrived as null (wal2json 2.5); null when the slot prints them as text. */
  values: ValuesSlotStage | null;
  batcher: Batcher;
  sink: Sink;
  logger: Logger;
  flushIntervalMs: number;
  /**
   * Told the lag in seconds on every flush tick: the age of the commit of the oldest mirrored transaction
   * received and not yet durable in Convex, 0 when there is none (caught up).
   */
  onLag?: (seconds: number) => void;
  /** Sees every transaction first, in stream order, inside the serial queue (re-sync windows, src/resync/). */
  observe?: (tx: AssembledUnit) => Promise<void>;
  /** Closes what the stream took over (the SQL session) once the stream has ended, however it ended. */
  release: () => Promise<void>;
}

export interface RunningStream {
  /** Settles when the stream ends: resolves after stop(), rejects on a fatal error. */
  readonly done: Promise<void>;
  /** Graceful stop: finishes the in-flight batch, flushes what is pending, then closes the stream. */
  stop(): Promise<void>;
  /**
   * Ends the stream now: no further batch is started, the replication connection is closed at once. With
   * `settleMs`, waits no longer than that for the in-flight batch and the source before releasing.
   */
  abort(reason: unknown, settleMs?: number): void;
}

export function runStream(from: Lsn, stages: StreamStages): RunningStream {
  const { source, decoder, assembler, values, batcher, sink, logger } = stages;
  const empties = createEmptyCheckpoints();
  const queue = createSerialQueue();
  let stopping = false;
  let fatal: unknown = null;
  // Commit times of mirrored transactions not yet durable, oldest first (each leaves once a checkpoint passes it).
  const unapplied: Array<{ endLsn: Lsn; commitMs: number }> = [];
  const lagSeconds = (now = Date.now()) => (unapplied[0] ? Math.max(0, (now - unapplied[0].commitMs) / 1000) : 0);
  const fail = (e: unknown) => {
    if (fatal) return;
    fatal = e;
    logger.error({ err: e instanceof Pg2ConvexError ? e.toJSON() : String(e) }, "stream stopped by a permanent failure");
    source.stop().catch(() => undefined);
  };

  const applyAll = async (batches: Batch[]) => {
    for (const batch of batches) {
      await sink.apply(batch);
      const durable = batch.checkpoint?.endLsn;
      if (durable !== undefined) while (unapplied[0] && unapplied[0].endLsn <= durable) unapplied.shift();
    }
  };

  // Group commit: at most one mutation is in flight. What commits while none is goes out at once; what commits
  // while one is collects in the batcher and goes out together when it returns. Order: every batch leaves
  // through `pump`, which sends the closed batches (`outbox`) before whatever the batcher still holds, and the
  // next send starts only after the previous one finished; the checkpoint-only batch goes out only when
  // nothing else is waiting or in flight (its position is past all of them).
  const outbox: Batch[] = [];
  let applying: Promise<void> | null = null;
  let ended = false;
  const pump = (forceMarker = false) => {
    if (applying || fatal || ended) return;
    const batches = [...outbox.splice(0), ...batcher.flush()];
    if (batches.length === 0) {
      const marker = empties.take(forceMarker);
      if (marker) batches.push(marker);
    }
    if (batches.length === 0) return;
    applying = applyAll(batches).then(
      () => {
        applying = null;
        pump();
      },
      (e: unknown) => {
        applying = null;
        fail(e);
      },
    );
  };
  /** Everything closed or pending reached the sink (or the stream failed). */
  const settle = async (forceMarker: boolean) => {
    for (;;) {
      pump(forceMarker);
      if (!applying) return;
      await applying;
    }
  };

  // A unit is a whole transaction or one part of a large one (assemble/parts.ts); parts are applied as they come.
  // Re-sync windows see every unit, leading parts included: a key a big transaction changed is in the window.
  const onTransaction = async (raw: AssembledUnit) => {
    await stages.observe?.(raw);
    if (raw.changes.length === 0 && !("part" in raw) && batcher.pendingTransactions() === 0 && outbox.length === 0) {
      // Nothing mirrored and nothing waiting: confirmed once a (throttled) checkpoint-only batch records it.
      empties.seen({ commitLsn: raw.commitLsn, endLsn: raw.endLsn });
      return;
    }
    empties.covered();
    // A leading part has no end LSN yet: its transaction is counted once, by its last part.
    if (!isLeadingPart(raw)) unapplied.push({ endLsn: raw.endLsn, commitMs: raw.commitTime.getTime() });
    const tx = values ? await values.resolve(raw) : raw;
    outbox.push(...batcher.add(tx));
    pump();
    // Backpressure: while full batches wait behind the one in flight, the stream (and its socket) waits too, so
    // memory holds at most one mutation in flight, the closed batches of one transaction and the batcher's.
    while (outbox.length > 0 && applying && !fatal) await applying;
    if (fatal) throw fatal;
  };

  const onMessage = (msg: WalMessage) =>
    queue
      .run(async () => {
        if (fatal) throw fatal;
        const tx = assembler.push(await decoder.decode(msg), msg.text.length);
        if (tx) await onTransaction(tx);
      })
      .catch((e: unknown) => {
        fail(e);
        throw e;
      });

  // The timer samples lag and writes the throttled checkpoint-only batch; transactions never wait for it.
  const timer = setInterval(() => {
    stages.onLag?.(lagSeconds());
    if (stopping || !empties.pending()) return;
    queue.run(async () => pump()).catch(fail);
  }, stages.flushIntervalMs);

  // Resolves once a bounded abort stopped waiting (never otherwise).
  let giveUp: NodeJS.Timeout | undefined;
  let finished = false;
  let abandon!: () => void;
  const abandoned = new Promise<void>((r) => (abandon = r));
  const done = Promise.race([source.stream(from, onMessage), abandoned])
    .then(() => {
      if (fatal) throw fatal;
    })
    .finally(async () => {
      clearInterval(timer);
      // The mutation in flight finishes (as the handler that sent it would have) before the session closes.
      ended = true;
      await Promise.race([applying?.catch(() => undefined), abandoned]);
      finished = true;
      clearTimeout(giveUp);
      await stages.release();
    });

  return {
    done,
    abort(reason, settleMs) {
      stopping = true;
      if (settleMs !== undefined && giveUp === undefined && !finished) {
        giveUp = setTimeout(() => {
          logger.warn({ settleMs }, "the aborted stream did not end in time: releasing it anyway");
          abandon();
        }, settleMs);
        giveUp.unref();
      }
      if (fatal) return;
      fatal = reason;
      source.stop().catch(() => undefined);
    },
    async stop() {
      if (stopping) return done.catch(() => undefined);
      stopping = true;
      logger.info("stopping: finishing the in-flight batch");
      await queue
        .run(async () => {
          if (fatal) return;
          await settle(true);
        })
        .catch(fail);
      await source.stop();
      await done.catch(() => undefined);
    },
  };
}
