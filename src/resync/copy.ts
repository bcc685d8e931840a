// The copy phase of one table's re-sync: chunk after chunk in primary-key order (window.ts says why each
// chunk is consistent with the stream). Invariants:
//  - a chunk's rows minus its window's keys are written at the chunk's high watermark H, in the stream's
//    queue, with the progress (cursor, rows, first low watermark) in the same mutation as the last batch;
//  - the first chunk's low watermark L0 is recorded once (resync-rules.ts keeps it): every row present in
//    PostgreSQL is rewritten at a version ≥ L0 by some chunk or by the stream, which the sweep (sweep.ts) uses;
//  - resuming after a crash restarts after the last durable cursor with fresh windows; a chunk written twice
//    is harmless (the second is newer and is PostgreSQL's row at its own H);
//  - throttled like the backfill (--backfill-rows-per-second), chunks of --backfill-chunk-rows.
import type { TableDef } from "../definitions/types";
import type { ResyncProgress } from "../mirror-functions/wire/protocol";
import { toChange } from "../backfill";
import { decodeText } from "../decode";
import { formatLsn } from "../model/lsn";
import type { Value } from "convex/values";
import { readChunk } from "../postgres";
import { applyAtVersion } from "./apply-rows";
import type { StepContext } from "./types";

export async function copyChunks(ctx: StepContext, start: ResyncProgress): Promise<ResyncProgress> {
  const { table, config, logger } = ctx;
  const limit = config.backfillChunkRows;
  let progress: ResyncProgress = { ...start, phase: "copying" };
  logger.info({ table: table.name, resumedAt: progress.rows }, "re-sync: copying table while streaming");
  const started = Date.now();
  let copiedHere = 0;
  for (let chunk = 0; progress.phase === "copying"; chunk++) {
    if (ctx.isStopped()) return progress;
    const after = progress.after as string[] | null;
    await ctx.runWindow(
      table.name,
      chunk,
      async () => readChunk(await ctx.session(), table, after, limit),
      async (win, read, high) => {
        const rows = read?.rows ?? [];
        const keep = win.remaining(rows, (r) => keyOfRow(table, r), read?.xip ?? new Set(), ctx.recent);
        if (keep === null) {
          logger.info({ table: table.name }, "re-sync chunk overlapped a transaction its snapshot could not see; reading it again");
          return;
        }
        const done = rows.length < limit;
        const next: ResyncProgress = {
          ...progress,
          phase: done ? "sweep" : "copying",
          lowLsn: progress.lowLsn ?? win.lowLsn,
          after: done ? null : read!.last,
          rows: progress.rows + rows.length,
          updatedAt: Date.now(),
        };
        await applyAtVersion(
          { sink: ctx.sink, graph: ctx.graph, maxBatchOps: config.maxBatchOps },
          high,
          keep.map((r) => toChange(table, r, high)),
          next,
        );
        ctx.metrics?.backfillRows.inc({ table: table.name }, keep.length);
        logger.debug({ table: table.name, rows: rows.length, written: keep.length, at: formatLsn(high) }, "re-sync chunk written");
        progress = next;
        copiedHere += rows.length;
      },
    );
    await throttle(config.backfillRowsPerSecond, started, copiedHere, ctx.stopping);
  }
  logger.info({ table: table.name, rows: progress.rows }, "re-sync: copy finished; removing rows PostgreSQL no longer has");
  return progress;
}

function keyOfRow(table: TableDef, r: Record<string, string | null>): Value[] {
  return table.primaryKey.map((k) =>
    decodeText(
      table.columns.find((c) => c.name === k)!,
      r[k] ?? null,
    ),
  ) as Value[];
}

async function throttle(rowsPerSecond: number, started: number, copied: number, stopping: Promise<never>): Promise<void> {
  if (rowsPerSecond <= 0) return;
  const wait = started + (copied / rowsPerSecond) * 1000 - Date.now();
  if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait).unref()), stopping]).catch(() => undefined);
}
