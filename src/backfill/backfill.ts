// Backfill stage: copies the mirrored tables into Convex before streaming starts.
// Invariants:
//  - every backfilled row carries version S = the slot's consistent point, and streaming starts at S, so
//    every change after the copy is replayed over it and wins by version (a later copy never regresses it);
//  - tables are copied in keyset-ordered pages, up to --backfill-concurrency mutations in flight (schedule.ts);
//    a table starts only once every table it waits for (waitsFor) is complete, so parents land before
//    children; a page's cursor is saved in Convex only in a mutation sent once every earlier page of the table
//    is durable, so a crash resumes without gaps (redoing at most a few pages, idempotent by version);
//  - all pages are read on one connection inside one snapshot, one read at a time (`turn`), so the copy stays
//    one consistent snapshot (no exported snapshot needed for parallel readers); only the applies overlap;
//  - a resumed backfill cannot reuse the exported snapshot (it died with its connection): it reads a fresh
//    snapshot, still labelled S. Rows it copies may be newer than S; the stream from S replays every change
//    since S over them, so the mirror converges to PostgreSQL (documented in docs/ARCHITECTURE.md).
import type pg from "pg";
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import type { Metrics } from "../observability/metrics";
import type { MirrorState } from "../mirror-functions/wire/protocol";
import type { Sink } from "../sink";
import type { TableGraph } from "../definitions/graph";
import type { TableDef, TableSet } from "../definitions/types";
import type { Position } from "../checkpoint";
import { Pg2ConvexError } from "../errors";
import { REBUILD_FIX } from "../errors/recovery";
import { formatLsn, type Lsn } from "../model/lsn";
import { connectPg } from "../postgres";
import { beginSnapshotRead, createSlotWithSnapshot, endSnapshotRead, slotInfo } from "../postgres";
import { createThrottle, tableChunks } from "./copy-table";
import { runSchedule, type Chunk, type TableJob } from "./schedule";
import { createProgress } from "./progress";

export interface BackfillContext {
  config: Config;
  tables: TableSet;
  graph: TableGraph;
  /** Applies the pages; the wiring hands in the instrumented sink (metrics, logs, rejects per batch). */
  sink: Sink;
  logger: Logger;
  metrics?: Metrics;
  state: MirrorState;
  pg: pg.Client;
}

export async function runBackfill(ctx: BackfillContext): Promise<Position> {
  const { config, graph, sink, logger, state } = ctx;
  const slot = await slotInfo(ctx.pg, config.slot);
  let snapshotLsn: Lsn;
  let exported: { snapshotName: string; release(): Promise<void> } | null = null;

  if (state.phase === "backfill" && state.snapshotLsn !== null) {
    if (!slot.exists) {
      throw new Pg2ConvexError("SLOT_MISSING", `replication slot ${config.slot} disappeared during an unfinished backfill`, {
        context: { slot: config.slot, snapshotLsn: formatLsn(state.snapshotLsn) },
        fix: `the changes since the backfill began are gone: ${REBUILD_FIX}`,
      });
    }
    snapshotLsn = state.snapshotLsn;
    logger.info({ snapshotLsn: formatLsn(snapshotLsn) }, "resuming an interrupted backfill from its saved cursors");
  } else if (slot.exists) {
    // Slot made earlier (e.g. `setup --create-slot`): its snapshot is gone; the stream replays from its position.
    snapshotLsn = slot.confirmedFlushLsn ?? slot.restartLsn!;
    logger.info({ slot: config.slot, snapshotLsn: formatLsn(snapshotLsn) }, "backfilling against an existing slot");
  } else {
    const created = await createSlotWithSnapshot(config.databaseUrl, config.slot);
    exported = created;
    snapshotLsn = created.consistentPoint;
    logger.info({ slot: config.slot, snapshotLsn: formatLsn(snapshotLsn) }, "created replication slot with an exported snapshot");
  }

  // From here on every exit, failed or not, releases the exported snapshot's replication connection and the
  // reader: an open connection would keep the process alive after a fatal error.
  let reader: pg.Client | undefined;
  const progress = createProgress(logger);
  try {
    await sink.beginBackfill(
      snapshotLsn,
      graph.order.map((t) => t.name),
    );
    reader = await connectPg(config.databaseUrl);
    await beginSnapshotRead(reader, exported?.snapshotName);
    const throttle = createThrottle(config.backfillRowsPerSecond);
    // One reader, one snapshot: the tables' page reads take turns on it (applies overlap, reads do not).
    let reads: Promise<unknown> = Promise.resolve();
    const turn = <T>(read: () => Promise<T>): Promise<T> => {
      const result = reads.then(read);
      reads = result.catch(() => undefined);
      return result;
    };
    const jobs: TableJob[] = [];
    for (const table of graph.order) {
      const saved = state.phase === "backfill" ? state.backfill.find((p) => p.table === table.name) : undefined;
      if (saved?.done) continue;
      let next: (() => Promise<Chunk | null>) | undefined;
      const copy = { ...ctx, reader, table, snapshotLsn, resumeAfter: (saved?.after as string[] | null | undefined) ?? null, rowsBefore: saved?.rows ?? 0, progress, throttle };
      jobs.push({
        table: table.name,
        after: waitsFor(graph, table),
        serial: table.references.some((ref) => ref.table === table.name),
        next: () => turn(async () => (next ??= await tableChunks(copy))()),
      });
    }
    // A table already done (resumed backfill) is complete: nothing waits for it.
    const pending = new Set(jobs.map((j) => j.table));
    for (const j of jobs) j.after = j.after.filter((t) => pending.has(t));
    await runSchedule(jobs, config.backfillConcurrency, (batch, mark) => sink.apply(batch, mark ? { snapshotLsn, progress: mark } : undefined));
    await endSnapshotRead(reader);
  } finally {
    progress.done();
    await reader?.end().catch(() => undefined);
    await exported?.release();
  }
  const position = { commitLsn: snapshotLsn, endLsn: snapshotLsn };
  await sink.finishBackfill(position);
  logger.info({ snapshotLsn: formatLsn(snapshotLsn) }, "backfill complete");
  return position;
}

/**
 * Tables `table` must wait for: every earlier table (in graph order) it references or that references it,
 * ordering or not. Ordering parents are the rule; the others keep reference ids and derived fields resolving
 * exactly as in the sequential copy (the earlier table complete first). Unrelated tables run side by side.
 */
export function waitsFor(graph: TableGraph, table: TableDef): string[] {
  const rank = graph.rank.get(table.name)!;
  const related = new Set<string>();
  for (const ref of table.references) if (ref.table !== table.name && (graph.rank.get(ref.table) ?? Infinity) < rank) related.add(ref.table);
  for (const other of graph.order) {
    if ((graph.rank.get(other.name) ?? Infinity) < rank && other.references.some((r) => r.table === table.name)) related.add(other.name);
  }
  return [...related];
}
