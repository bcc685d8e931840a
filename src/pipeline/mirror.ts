// The whole pipeline, wired top to bottom:
//   PostgreSQL slot ─source→ WAL messages ─decode→ events ─assemble→ source transactions
//   ─(NaN recovery)→ ─plan→ batches ─sink→ Convex mutation ─checkpoint→ confirmed_flush_lsn
// Backfill runs first when the mirror is new (or resumes when it was interrupted).
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import type { TableSet } from "../tables/types";
import type { Metrics } from "../observability/metrics";
import type { Sink } from "../sink";
import type { SourceTransaction } from "../model/changes";
import type { DecodedEvent } from "../model/events";
import type { Batch } from "../plan";
import { buildGraph } from "../tables/graph";
import { connectPg } from "../sql";
import { assertChecks, runChecks } from "../sql";
import { createWal2JsonSource, type WalMessage } from "../source";
import { createDecoder } from "../decode";
import { probeNumericAsString, resolveAmbiguousNulls } from "../decode/special-floats";
import { createAssembler } from "../assemble";
import { createBatcher } from "../plan";
import { createConvexSink } from "../sink";
import { createCheckpointTracker, type Position } from "../checkpoint";
import { runBackfill } from "../backfill";
import { Pg2ConvexError } from "../errors";
import { formatLsn } from "../model/lsn";
import { createSerialQueue } from "./serial";
import { applyBatch } from "./apply";
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

export async function startMirror(deps: MirrorDeps): Promise<MirrorHandle> {
  const { config, tables, logger, metrics } = deps;
  const graph = buildGraph(tables);
  const pgClient = await connectPg(config.databaseUrl);
  try {
    assertChecks(await runChecks(pgClient, tables));
  } catch (e) {
    await pgClient.end();
    throw e;
  }
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
  const query = (sql: string, params: unknown[]) => pgClient.query(sql, params);
  const numericAsString = await probeNumericAsString(query);
  const source = createWal2JsonSource({ connectionString: config.databaseUrl, slot: config.slot, tables, numericAsString, logger });
  const decoder = createDecoder(tables, { numericAsString });
  const assembler = createAssembler();
  const batcher = createBatcher(graph, config.maxBatchOps ? { maxOps: config.maxBatchOps } : {});
  const checkpoint = createCheckpointTracker(start, (lsn) => source.confirm(lsn));
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
      // Nothing mirrored and nothing in flight: durable as it stands (keeps WAL from piling up).
      checkpoint.emptyTransaction({ commitLsn: raw.commitLsn, endLsn: raw.endLsn });
      return;
    }
    const tx = await resolveAmbiguousNulls(raw, query, tables);
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
    if (stopping || batcher.pendingTransactions() === 0) return;
    queue
      .run(async () => {
        if (fatal) return;
        for (const batch of batcher.flush()) await applyBatch(applyDeps, batch);
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
        })
        .catch(fail);
      await source.stop();
      await done.catch(() => undefined);
    },
  };
}
