// Backfill stage: copies the mirrored tables into Convex before streaming starts.
// Invariants:
//  - every backfilled row carries version S = the slot's consistent point, and streaming starts at S, so
//    every change after the copy is replayed over it and wins by version (a later copy never regresses it);
//  - tables are copied parents first, in keyset-ordered pages; the cursor is saved in Convex in the same
//    mutation as the page's rows, so a crash resumes after the last page that became durable;
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
import type { TableSet } from "../definitions/types";
import type { Position } from "../checkpoint";
import { Pg2ConvexError } from "../errors";
import { REBUILD_FIX } from "../errors/recovery";
import { formatLsn, type Lsn } from "../model/lsn";
import { connectPg } from "../postgres";
import { beginSnapshotRead, createSlotWithSnapshot, endSnapshotRead, slotInfo } from "../postgres";
import { copyTable } from "./copy-table";
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
    const started = Date.now();
    let copiedTotal = 0;
    for (const table of graph.order) {
      const saved = state.phase === "backfill" ? state.backfill.find((p) => p.table === table.name) : undefined;
      if (saved?.done) continue;
      copiedTotal += await copyTable({
        ...ctx,
        reader,
        table,
        snapshotLsn,
        resumeAfter: (saved?.after as string[] | null | undefined) ?? null,
        rowsBefore: saved?.rows ?? 0,
        progress,
        throttle: { rowsPerSecond: config.backfillRowsPerSecond, started, copiedBefore: () => copiedTotal },
      });
    }
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
