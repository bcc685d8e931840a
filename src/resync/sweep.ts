// The sweep phase of a re-sync: documents of the table that no chunk and no stream change rewrote since the
// first low watermark L0 are rows PostgreSQL no longer has (or never had). Invariants:
//  - a barrier (a watermark pair, commit LSN W) is emitted after the last chunk, and the sweep reads Convex only
//    once the stream's durable checkpoint is at W or past it: every stream change before W is then in Convex;
//  - a key whose document is older than L0 then was absent from PostgreSQL when its chunk was read, and any
//    later insert of it committed after L0 and before W would have rewritten it: so it is absent as of W;
//  - it is deleted at version W through the normal delete path (tombstone, derived fields, children's links):
//    a stream change after W is newer and wins, a replay of one before W is older and loses, and a stream
//    change that rewrote the key between the read and the delete makes the delete a no-op by version. The
//    deletes are applied at a second barrier's position, inside the stream's queue, like every chunk: the sink
//    keeps seeing one batch at a time;
//  - the sweep is idempotent, so a crash during it simply runs it again (phase "sweep" is durable).
import type { Value } from "convex/values";
import type { ResyncProgress } from "../mirror-functions/wire/protocol";
import type { RowChange } from "../model/changes";
import { VERSION_FIELD } from "../definitions/types";
import { keyOfDoc } from "../model/key";
import type { Lsn } from "../model/lsn";
import { applyAtVersion } from "./apply-rows";
import type { StepContext } from "./types";

/** True once the table's re-sync is done (false: stopped before the end; the durable phase resumes it). */
export async function sweepStale(ctx: StepContext, progress: ResyncProgress): Promise<boolean> {
  const { table, logger } = ctx;
  let barrier: Lsn | null = null;
  await ctx.runWindow(table.name, -1, null, async (_win, _chunk, high) => void (barrier = high));
  const w = barrier as Lsn | null;
  if (w === null) return false;
  while ((ctx.position()?.commitLsn ?? 0n) < w) {
    if (ctx.isStopped()) return false;
    await Promise.race([new Promise((r) => setTimeout(r, 50).unref()), ctx.stopping]).catch(() => undefined);
  }
  const low = progress.lowLsn;
  const stale: RowChange[] = [];
  if (low !== null) {
    for await (const doc of ctx.reader.allRows(table.convexName)) {
      const ver = doc[VERSION_FIELD];
      if (typeof ver === "bigint" && ver < low) stale.push({ kind: "delete", table: table.name, key: keyOfDoc(table, doc as Record<string, Value>), lsn: w });
    }
  }
  const done: ResyncProgress = { ...progress, phase: "done", updatedAt: Date.now() };
  await ctx.runWindow(table.name, -2, null, () => applyAtVersion({ sink: ctx.sink, graph: ctx.graph, maxBatchOps: ctx.config.maxBatchOps }, w, stale, done));
  logger.info({ table: table.name, rows: progress.rows, removed: stale.length }, "re-sync finished");
  return true;
}
