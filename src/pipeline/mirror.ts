// The whole pipeline, wired top to bottom:
//   PostgreSQL slot ─source→ WAL messages ─decode→ events ─assemble→ source transactions
//   ─(NaN recovery)→ ─plan→ batches ─sink→ Convex mutation ─checkpoint→ confirmed_flush_lsn
// Backfill runs first when the mirror is new (or resumes when it was interrupted). This file only builds the
// stages, in the order they start: connect → checks → sink (instrumented-sink.ts) → continuity → backfill →
// streaming stages → run (stream-loop.ts). Policies live with the pieces they belong to, not here.
import type pg from "pg";
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import type { TableSet } from "../definitions/types";
import type { Metrics } from "../observability/metrics";
import type { Sink } from "../sink";
import type { Batch } from "../plan";
import { buildGraph } from "../definitions/graph";
import { assertChecks, connectPg, connectionLostError, isConnectionLoss, runChecks } from "../postgres";
import { probeNumericAsString } from "../postgres/numeric-probe";
import { statusIntervalFor, walSenderTimeoutMs } from "../postgres/wal-sender-timeout";
import { createConvexSink } from "../sink";
import { runBackfill } from "../backfill";
import { createWal2JsonSource } from "../source";
import { createDecoder } from "../decode";
import { createAssembler } from "../assemble";
import { createBatcher } from "../plan";
import { createCheckpointTracker, type Position } from "../checkpoint";
import type { Pg2ConvexError } from "../errors";
import { formatLsn } from "../model/lsn";
import { instrumentSink } from "./instrumented-sink";
import { createRejectTracker } from "./rejects";
import { establishContinuity } from "./continuity";
import { openValuesSlot } from "./values-slot";
import { decodeOrReject } from "./decode-failures";
import { runStream } from "./stream-loop";

export interface MirrorDeps {
  config: Config;
  tables: TableSet;
  logger: Logger;
  metrics?: Metrics;
  /** Defaults to the Convex sink built from config. */
  sink?: Sink;
  /** Observes phase changes (health endpoint). */
  onPhase?: (phase: "backfill" | "streaming") => void;
  /** Observes every streamed batch once it is durable in Convex (bench, tests); backfill batches are not reported. */
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
  // 1. Connect; then the rest of start-up runs on that session (startOnClient).
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

  // 2. Checks: the database can be mirrored as the definitions say.
  assertChecks(await runChecks(pgClient, tables));

  // 3. Sink, instrumented once: backfill and stream batches are measured, logged and their rejects tracked alike.
  const inner =
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
  const rejects = createRejectTracker({ sink: inner, graph, logger, metrics });
  const sink = instrumentSink(inner, { logger, metrics, rejects });

  // 4. Continuity: the slot continues exactly the mirror Convex holds.
  const state = await sink.state();
  // Refusing to stream releases PostgreSQL like any start-up failure (startMirror closes pgClient).
  await establishContinuity({ pg: pgClient, connectionString: config.databaseUrl, slot: config.slot, state, sink, logger });
  // Rejects left open by an earlier run (or resolved by it after its last settle) are counted first.
  await rejects.settleAll();

  // 5. Backfill (or resume it) unless the mirror is already streaming.
  let start: Position;
  if (state.phase === "stream" && state.commitLsn !== null && state.endLsn !== null) {
    start = { commitLsn: state.commitLsn, endLsn: state.endLsn };
  } else {
    deps.onPhase?.("backfill");
    start = await runBackfill({ config, tables, graph, sink, logger, metrics, state, pg: pgClient });
  }
  logger.info({ slot: config.slot, from: formatLsn(start.endLsn) }, "streaming changes");
  deps.onPhase?.("streaming");

  // 6. Streaming stages.
  // wal2json 2.5 prints NaN/±Infinity as null: the values slot tells them from SQL NULL (docs/type-mapping.md).
  const numericAsString = await probeNumericAsString(pgClient);
  const values = numericAsString ? null : await openValuesSlot({ pg: pgClient, slot: config.slot, tables, logger });
  const statusIntervalMs = statusIntervalFor(await walSenderTimeoutMs(pgClient));
  const source = createWal2JsonSource({ connectionString: config.databaseUrl, slot: config.slot, tables, numericAsString, logger, statusIntervalMs });
  const assembler = createAssembler({ maxRows: config.maxTxBufferRows, maxBytes: config.maxTxBufferBytes });
  const decoder = decodeOrReject(createDecoder(tables, { numericAsString }), { openXid: () => assembler.openXid(), graph, logger });
  const batcher = createBatcher(graph, config.maxBatchOps ? { maxOps: config.maxBatchOps } : {});
  const checkpoint = createCheckpointTracker(start, (lsn) => {
    source.confirm(lsn);
    values?.durable(lsn);
  });
  sink.trackStream({ checkpoint, onApplied: deps.onApplied });

  // 7. Run: the stream takes the SQL session over and closes it when it ends.
  const stream = runStream(start.endLsn, {
    source,
    decoder,
    assembler,
    values,
    batcher,
    sink,
    logger,
    flushIntervalMs: config.flushIntervalMs,
    release: () => pgClient.end().catch(() => undefined),
  });
  return { done: stream.done, stop: () => stream.stop(), position: () => checkpoint.position() };
}
