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
import type { RetryOptions } from "../convex-client/retry";
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
import { serialQueries } from "../postgres/serial-queries";
import { endSession, SESSION_QUERY_TIMEOUT_MS } from "./session-close";
import { startResync } from "./resync";
import { startHeartbeat } from "./heartbeat";
import type { SlotHealth } from "../observability/slot-guard";
import type { Leadership } from "../leadership/lease";
import { gateSink } from "../leadership/gate-sink";
import { claimEpoch } from "../leadership/claim-epoch";
import { takeOverSlot, walsenderName } from "../leadership/slot-takeover";
import { createConvexClient } from "../convex-client/client";
import { loadCatalog } from "../postgres/checks/catalog";
import { assertSameDefinitions } from "./definitions-check";
import { createDriftStage } from "./drift";
import { createPartitionMap } from "./partitions";
import { streamDecoder } from "./stream-decoder";
import { watchCatalog } from "./catalog-watch";

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
  /** Overrides the Convex sink's retry policy (the supervisor: retry as long as an outage lasts, observed). */
  convexRetry?: RetryOptions;
  /** On a reconnect: the mirror id this bridge streams as (continuity refuses any other, or none). */
  expectedMirrorId?: string;
  /** Observes the mirror id continuity proved (the supervisor passes it back as expectedMirrorId). */
  onIdentity?: (mirrorId: string) => void;
  /**
   * Held by `run` (src/leadership/): writes are gated by it and carry its Convex epoch, the slot is taken over
   * from a previous instance's walsender, and losing it stops the mirror at once (done rejects LEADERSHIP_LOST).
   */
  leadership?: Leadership;
  /** Observes the slot guard's readings (health endpoint). */
  onSlotHealth?: (h: SlotHealth) => void;
  /**
   * A leader's abort (leadership lost, or its SQL session lost while leading) waits this long (default 5 s) for
   * the in-flight batch and the replication connection to end, then stops waiting and releases anyway: whatever
   * the old stream still sends is refused by epoch once the next start claimed a new one (claim-epoch.ts).
   */
  abortSettleMs?: number;
}

/** How long a leader's abort waits for the stream to wind down before releasing anyway. */
export const ABORT_SETTLE_MS = 5_000;

export interface MirrorHandle {
  /** Settles when the stream ends: resolves after stop(), rejects on a fatal error. */
  readonly done: Promise<void>;
  /** Graceful stop: finishes the in-flight batch, flushes what is pending, then closes the stream. */
  stop(): Promise<void>;
  position(): Position | null;
  /** Ends the stream at once (no flush): the SQL session it needs is gone. */
  abort?(reason: unknown): void;
}

/** The handle of one run (startOnClient): its abort also stops the run's timers and may bound the wind-down. */
interface RunHandle extends MirrorHandle {
  abort(reason: unknown, settleMs?: number): void;
}

/**
 * Start-up owns the SQL session until the stream takes it over (the stream's end closes it): any failure before
 * that (checks, Convex unreachable or refusing, a failed backfill) closes it, so a fatal start-up error ends the
 * process instead of leaving an idle connection keeping it alive. A session lost while streaming stops the
 * stream and `done` rejects with PG_CONNECTION_LOST.
 *
 * A leader (deps.leadership) that loses its lock aborts the run at once, never a graceful stop: the run's
 * signal ends every Convex call it has retrying (sink, drift, state reads: a call after the loss rejects
 * before it is sent), its heartbeat, catalog and recount timers stop, and its stream ends within
 * abortSettleMs even if the in-flight batch or the replication connection do not answer; `done` then rejects
 * with LEADERSHIP_LOST and the SQL session is closed. The same holds for a leader whose SQL session is lost.
 */
export async function startMirror(deps: MirrorDeps): Promise<MirrorHandle> {
  // 1. Connect; then the rest of start-up runs on that session (startOnClient).
  let lost: Pg2ConvexError | null = null;
  let onLost = (e: Pg2ConvexError) => void (lost ??= e);
  // Every Convex call of this run retries under this signal: the run's abort, a stop that ran out of time
  // (the supervisor's), and the leadership's loss each end it.
  const run = new AbortController();
  const signal = AbortSignal.any([run.signal, deps.convexRetry?.signal, deps.leadership?.signal].filter((x): x is AbortSignal => x !== undefined));
  const settleMs = deps.abortSettleMs ?? ABORT_SETTLE_MS;
  const pgClient = await connectPg(deps.config.databaseUrl, { onLost: (e) => onLost(e), queryTimeoutMs: SESSION_QUERY_TIMEOUT_MS });
  const asLoss = (e: unknown) => lost ?? (isConnectionLoss(e) ? connectionLostError(e) : e);
  let aborted: Pg2ConvexError | null = null;
  let pendingAbort: Pg2ConvexError | null = null;
  let abortMirror: (e: Pg2ConvexError) => void = (e) => void (pendingAbort ??= e);
  let handle: RunHandle;
  // Leadership lost during start-up: its SQL session ends (within endSession's bound, even on a frozen path),
  // so a start-up waiting on PostgreSQL fails now instead of at its query timeout.
  let starting = true;
  void deps.leadership?.lost.then(() => (starting ? endSession(pgClient) : undefined));
  try {
    handle = await startOnClient({ ...deps, convexRetry: { ...deps.convexRetry, signal } }, pgClient, (e) => abortMirror(e));
  } catch (e) {
    await endSession(pgClient);
    // A start-up refused because leadership was lost meanwhile reports that, not the refusal it caused.
    deps.leadership?.assertHeld();
    throw asLoss(e);
  } finally {
    starting = false;
  }
  onLost = (e) => {
    lost ??= e;
    deps.logger.warn({ err: e.toJSON() }, "the PostgreSQL session was lost; stopping the stream");
    // Without leadership nothing fences a late write of this stream: it winds down without a bound.
    if (deps.leadership) {
      run.abort(e);
      handle.abort(e, settleMs);
    } else handle.abort(e);
  };
  if (lost) onLost(lost);
  // The slot invalidated: stop (the pending batches are flushed first).
  const abort = (e: Pg2ConvexError) => {
    aborted ??= e;
    handle.stop().catch(() => undefined);
  };
  abortMirror = abort;
  if (pendingAbort) abort(pendingAbort);
  // Leadership lost: abort at once; the gate already refuses every further write.
  void deps.leadership?.lost.then((e) => {
    aborted ??= e;
    run.abort(e);
    handle.abort(e, settleMs);
  });
  const done = handle.done.then(
    // A lost SQL session outranks a lost leadership: both end together when PostgreSQL restarts, and that is the cause.
    () => {
      if (lost) throw lost;
      if (aborted) throw aborted;
    },
    (e: unknown) => {
      throw lost ?? aborted ?? asLoss(e);
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

async function startOnClient(deps: MirrorDeps, pgClient: pg.Client, abort: (e: Pg2ConvexError) => void): Promise<RunHandle> {
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
      ...deps.convexRetry,
    });
  const gated = deps.leadership ? gateSink(inner, deps.leadership) : inner;
  const rejects = createRejectTracker({ sink: gated, graph, logger, metrics });
  const sink = instrumentSink(gated, { logger, metrics, rejects });
  // The deployment serves the same definitions (checked before anything is written); drift is recorded there.
  // A sink handed in (bench, tests) has no deployment behind it: drift is then only logged and counted.
  // Its calls retry under the run's signal too (leadership lost: no drift record is written after the loss).
  const signal = deps.convexRetry?.signal;
  const convex = deps.sink ? null : createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, logger, retries: config.retries, ...(signal ? { signal } : {}) });
  const drift = createDriftStage({ client: convex, logger, metrics });
  // 3b. Leader: a new epoch in Convex before reading the state, so every older leader's later write is refused.
  // (A read first: a wrong URL, key or module fails on the same first call as without leadership.)
  if (deps.leadership) await sink.state().then(() => claimEpoch(sink, deps.leadership!, logger));

  // 4. Continuity: the slot continues exactly the mirror Convex holds.
  const state = await sink.state();
  // Before anything is written: the deployment was built from these definitions (a wrong module already failed above).
  if (convex) await assertSameDefinitions(convex, tables);
  await drift.loadRecorded();
  // Refusing to stream releases PostgreSQL like any start-up failure (startMirror closes pgClient).
  const proof = await establishContinuity({ pg: pgClient, connectionString: config.databaseUrl, slot: config.slot, state, sink, logger, ...(deps.expectedMirrorId === undefined ? {} : { expectedMirrorId: deps.expectedMirrorId }) });
  deps.onIdentity?.(proof.identity.mirrorId);
  // Rejects left open by an earlier run (or resolved by it after its last settle) are counted first.
  await rejects.settleAll();

  // Re-sync (src/resync/): the deployment holds every table; tables added after streaming began are requested.
  const resync = await startResync({ config, tables, logger, metrics, customSink: deps.sink !== undefined, onFinished: (t) => drift.clearTable(t) }, sink, state, graph);

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
  // The periodic users of the SQL session (heartbeats, the catalog check) and the values slot's peeks, which
  // run whenever a transaction needs them, queue their queries behind each other (serial-queries.ts): they
  // would otherwise overlap on one connection, which pg 8 only tolerates with a deprecation warning.
  const periodic = serialQueries(pgClient);
  const numericAsString = await probeNumericAsString(pgClient);
  const values = numericAsString ? null : await openValuesSlot({ pg: periodic, slot: config.slot, tables, logger });
  const applicationName = walsenderName(proof.identity.mirrorId);
  // A previous instance's walsender may still hold the slot (SIGKILL, dead machine): end it when provably ours.
  if (deps.leadership) await takeOverSlot({ pg: pgClient, slot: config.slot, mirrorId: proof.identity.mirrorId, leadership: deps.leadership, logger });
  const partitions = await createPartitionMap(pgClient, tables, logger);
  const statusIntervalMs = statusIntervalFor(await walSenderTimeoutMs(pgClient));
  const source = createWal2JsonSource({ connectionString: config.databaseUrl, slot: config.slot, tables, numericAsString, allTables: partitions.partitioned, logger, applicationName, statusIntervalMs });
  const assembler = createAssembler({ maxRows: config.maxTxBufferRows, maxBytes: config.maxTxBufferBytes });
  const columnTypes = await startColumnTypes(pgClient, tables);
  const decode = createDecoder(tables, { numericAsString, onDrift: (n) => drift.note(n), columnTypes, leaves: partitions.leaves });
  const decoder = streamDecoder(decodeOrReject(decode, { openXid: () => assembler.openXid(), graph, logger }), { partitions, drift });
  const batcher = createBatcher(graph, config.maxBatchOps ? { maxOps: config.maxBatchOps } : {});
  const checkpoint = createCheckpointTracker(start, (lsn) => {
    source.confirm(lsn);
    values?.durable(lsn);
  });
  sink.trackStream({ checkpoint, onApplied: deps.onApplied });
  const resyncer = resync?.(() => checkpoint.position());

  // Heartbeats keep the slot moving while mirrored tables are idle; the guard reads the slot's WAL state.
  const heartbeat = startHeartbeat({ pg: periodic, slot: config.slot, everyMs: config.heartbeatEvery, logger, metrics, onHealth: deps.onSlotHealth, onFatal: abort });
  // What wal2json never shows (a dropped table, a replica identity change): the setup checks, repeated.
  const watch = watchCatalog({ client: periodic, tables, drift, partitions, logger, intervalMs: config.catalogCheckIntervalMs });

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
    onLag: (seconds) => metrics?.lagSeconds.set(seconds),
    release: () => {
      heartbeat.stop();
      watch.stop();
      return endSession(pgClient);
    },
    ...(resyncer ? { observe: (tx) => resyncer.observe(tx) } : {}),
  });
  // Entries resolved by `pg2convex dlq replay|resolve` leave the count (and /healthz) within RECOUNT_MS.
  const stopRecount = rejects.startRecount();
  resyncer?.start();
  let abortBound: number | undefined;
  const done = stream.done.finally(() => {
    stopRecount();
    const stopped = resyncer?.stop();
    return abortBound === undefined ? stopped : within(stopped, abortBound);
  });
  const stop = async () => {
    await resyncer?.stop();
    await stream.stop();
  };
  // Aborted: nothing of this run goes on (timers, the stream); release() stops the timers again, harmlessly.
  const abortRun = (reason: unknown, settleMs?: number) => {
    abortBound = settleMs;
    heartbeat.stop();
    watch.stop();
    stopRecount();
    stream.abort(reason, settleMs);
  };
  return { done, stop, abort: abortRun, position: () => checkpoint.position() };
}

/** `p`, but no longer than `ms`. */
async function within(p: Promise<void> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** format_type of every mirrored column now: a record naming another type later is drift (decode/row.ts). */
async function startColumnTypes(client: pg.ClientBase, tables: TableSet): Promise<Map<string, Map<string, string>>> {
  const catalog = await loadCatalog(client, tables);
  const out = new Map<string, Map<string, string>>();
  for (const t of tables) {
    const rel = catalog.relations.get(`${t.schema}.${t.name}`);
    if (rel) out.set(t.name, new Map([...rel.columns.values()].map((c) => [c.name, c.display])));
  }
  return out;
}
