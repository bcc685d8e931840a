// The whole pipeline, wired top to bottom:
//   PostgreSQL slot ─source→ WAL messages ─decode→ events ─assemble→ source transactions
//   ─(NaN recovery)→ ─plan→ batches ─sink→ Convex mutation ─checkpoint→ confirmed_flush_lsn
// Backfill runs first when the mirror is new (or resumes when it was interrupted).
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import type { TableSet } from "../definitions/types";
import type { Metrics } from "../observability/metrics";
import type { Sink } from "../sink";
import type { SourceTransaction } from "../model/changes";
import type { DecodedEvent } from "../model/events";
import type { Batch } from "../plan";
import { buildGraph } from "../definitions/graph";
import type pg from "pg";
import { connectPg, connectionLostError, isConnectionLoss } from "../postgres";
import { assertChecks, runChecks } from "../postgres";
import { createWal2JsonSource, type WalMessage } from "../source";
import { createDecoder } from "../decode";
import { probeNumericAsString } from "../postgres/numeric-probe";
import { openValuesSlot } from "./values-slot";
import { createAssembler } from "../assemble";
import { createBatcher } from "../plan";
import { createConvexSink } from "../sink";
import { createCheckpointTracker, type Position } from "../checkpoint";
import { runBackfill } from "../backfill";
import { Pg2ConvexError } from "../errors";
import { formatLsn } from "../model/lsn";
import { createSerialQueue } from "./serial";
import { applyBatch } from "./apply";
import { establishContinuity } from "./continuity";
import { createEmptyCheckpoints } from "./empty-checkpoints";
import { createRejectTracker } from "./rejects";

export interface MirrorDeps {
  config: Config;
  tables: TableSet;
  logger: Logger;
  metrics?: Metrics;
  /** Defaults to the Convex sink built from config. */
  sink?: Sink;
  /** Observes phase changes (health endpoint). */
  onPhase?: (phase: "backfill" | "streaming") => void;
  /** Observes every batch once it is durable in Convex (bench, tests). */
  onApplied?: (batch: Batch, appliedAt: number) => void;
}

export interface MirrorHandle {
  /** Settles when the stream ends: resolves after stop(), rejects on a fatal error. */
  readonly done: Promise<void>;
  /** Graceful stop: finishes the in-flight batch, flushes what is pending, then closes the stream. */
  stop(): Promise<void>;
  position(): Position | null;
}

/**
 * Start-up owns the SQL session until the stream takes it over (the stream's end closes it): any failure before
 * that (checks, Convex unreachable or refusing, a failed backfill) closes it, so a fatal start-up error ends the
 * process instead of leaving an idle connection keeping it alive. A session lost while streaming stops the
 * stream (pending batches are flushed first) and `done` rejects with PG_CONNECTION_LOST.
 */
export async function startMirror(deps: MirrorDeps): Promise<MirrorHandle> {
  let lost: Pg2ConvexError | null = null;
  let onLost = (e: Pg2ConvexError) => void (lost ??= e);
  const pgClient = await connectPg(deps.config.databaseUrl, { onLost: (e) => onLost(e) });
  const asLoss = (e: unknown) => lost ?? (isConnectionLoss(e) ? connectionLostError(e) : e);
  let handle: MirrorHandle;
  try {
    handle = await startOnClient(deps, pgClient);
  } catch (e) {
    await pgClient.end().catch(() => undefined);
    throw asLoss(e);
  }
  onLost = (e) => {
    lost ??= e;
    deps.logger.error({ err: e.toJSON() }, "the PostgreSQL session was lost; stopping the stream");
    handle.stop().catch(() => undefined);
  };
  if (lost) onLost(lost);
  const done = handle.done.then(
    () => {
      if (lost) throw lost;
    },
    (e: unknown) => {
      throw asLoss(e);
    },
  );
  return {
    done,
    position: () => handle.position(),
    async stop() {
      await handle.stop();
      await done.catch(() => undefined);
    },
  };
}

async function startOnClient(deps: MirrorDeps, pgClient: pg.Client): Promise<MirrorHandle> {
  const { config, tables, logger, metrics } = deps;
  const graph = buildGraph(tables);
  assertChecks(await runChecks(pgClient, tables));
  const sink =
    deps.sink ??
    createConvexSink({
      url: config.convexUrl,
      adminKey: config.convexAdminKey,
      slot: config.slot,
      module: config.convexModule,
      logger,
      retries: config.retries,
      onRetry: () => metrics?.retries.inc(),
    });

  // 1. Backfill (or resume it) unless the mirror is already streaming.
  const state = await sink.state();
  // Refusing to stream releases PostgreSQL like any start-up failure (startMirror closes pgClient).
  await establishContinuity({ pg: pgClient, connectionString: config.databaseUrl, slot: config.slot, state, sink, logger });
  // Rejects left open by an earlier run (or resolved by it after its last settle) are counted first.
  const rejects = createRejectTracker({ sink, graph, logger, metrics });
  await rejects.settleAll();
  let start: Position;
  if (state.phase === "stream" && state.commitLsn !== null && state.endLsn !== null) {
    start = { commitLsn: state.commitLsn, endLsn: state.endLsn };
  } else {
    deps.onPhase?.("backfill");
    start = await runBackfill({ config, tables, graph, sink, logger, metrics, rejects, state, pg: pgClient });
  }
  logger.info({ slot: config.slot, from: formatLsn(start.endLsn) }, "streaming changes");
  deps.onPhase?.("streaming");

  // 2. Streaming stages.
  // wal2json 2.5 prints NaN/±Infinity as null: the values slot tells them from SQL NULL (docs/type-mapping.md).
  const numericAsString = await probeNumericAsString(pgClient);
  const values = numericAsString ? null : await openValuesSlot({ pg: pgClient, slot: config.slot, tables, logger });
  const source = createWal2JsonSource({ connectionString: config.databaseUrl, slot: config.slot, tables, numericAsString, logger });
  const decoder = createDecoder(tables, { numericAsString });
  const assembler = createAssembler();
  const batcher = createBatcher(graph, config.maxBatchOps ? { maxOps: config.maxBatchOps } : {});
  const checkpoint = createCheckpointTracker(start, (lsn) => {
    source.confirm(lsn);
    values?.durable(lsn);
  });
  const empties = createEmptyCheckpoints();
  const queue = createSerialQueue();
  const applyDeps = { sink, logger, metrics, checkpoint, rejects, onApplied: deps.onApplied };
  let stopping = false;
  // A failed batch is fatal: its transactions left the batcher, so going on would let a later checkpoint
  // pass them. Stopping leaves the checkpoint where it was; a restart replays from there.
  let fatal: unknown = null;
  const fail = (e: unknown) => {
    if (fatal) return;
    fatal = e;
    logger.error({ err: e instanceof Pg2ConvexError ? e.toJSON() : String(e) }, "stream stopped by a permanent failure");
    source.stop().catch(() => undefined);
  };

  const onTransaction = async (raw: SourceTransaction) => {
    if (raw.changes.length === 0 && batcher.pendingTransactions() === 0) {
      // Nothing mirrored and nothing waiting: confirmed once a (throttled) checkpoint-only batch records it.
      empties.seen({ commitLsn: raw.commitLsn, endLsn: raw.endLsn });
      return;
    }
    empties.covered();
    const tx = values ? await values.resolve(raw) : raw;
    for (const batch of batcher.add(tx)) await applyBatch(applyDeps, batch);
  };

  const onMessage = (msg: WalMessage) =>
    queue
      .run(async () => {
        if (fatal) throw fatal;
        const tx = assembler.push(decodeOrReject(msg));
        if (tx) await onTransaction(tx);
      })
      .catch((e: unknown) => {
        fail(e);
        throw e;
      });

  // A row that cannot be decoded becomes a reject with its reason; a record that is not a row is fatal.
  const decodeOrReject = (msg: WalMessage): DecodedEvent => {
    try {
      return decoder.decode(msg);
    } catch (e) {
      const xid = assembler.openXid();
      const ctx = e instanceof Pg2ConvexError ? e.context : {};
      if (!(e instanceof Pg2ConvexError) || e.code !== "DECODE_FAILED" || xid === null || typeof ctx.table !== "string" || !graph.byName(ctx.table)) throw e;
      logger.error({ err: e.toJSON(), lsn: formatLsn(msg.lsn) }, "row could not be decoded; recording it as a reject");
      const key = Array.isArray(ctx.key) ? (ctx.key as never[]) : [];
      return { type: "change", xid, change: { kind: "reject", table: ctx.table, key, lsn: msg.lsn, code: e.code, reason: e.message } };
    }
  };

  const timer = setInterval(() => {
    if (stopping || (batcher.pendingTransactions() === 0 && !empties.pending())) return;
    queue
      .run(async () => {
        if (fatal) return;
        for (const batch of batcher.flush()) await applyBatch(applyDeps, batch);
        const marker = empties.take();
        if (marker) await applyBatch(applyDeps, marker);
      })
      .catch(fail);
  }, config.flushIntervalMs);

  const done = source
    .stream(start.endLsn, onMessage)
    .then(() => {
      if (fatal) throw fatal;
    })
    .finally(async () => {
    clearInterval(timer);
    await pgClient.end().catch(() => undefined);
  });

  return {
    done,
    position: () => checkpoint.position(),
    async stop() {
      if (stopping) return done.catch(() => undefined);
      stopping = true;
      logger.info("stopping: finishing the in-flight batch");
      await queue
        .run(async () => {
          if (fatal) return;
          for (const batch of batcher.flush()) await applyBatch(applyDeps, batch);
          const marker = empties.take(true);
          if (marker) await applyBatch(applyDeps, marker);
        })
        .catch(fail);
      await source.stop();
      await done.catch(() => undefined);
    },
  };
}
