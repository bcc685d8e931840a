// Small mutations the bridge calls around applyBatch: backfill phase transitions and a guarded reset.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import type { GenericId } from "convex/values";
import { beginBackfill, finishBackfill, toMirrorState } from "./checkpoint-rules";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import type { MirrorConfig } from "../config";
import { assertMirror } from "./mirror-identity";
import { assertEpoch } from "./leader-epoch";
import { SYSTEM_TABLES } from "../names";
import { approxSize } from "./usage";
import type { MirrorState } from "../wire/protocol";
import { recordChecklistItem } from "../control/checklist";
import { formatLsn } from "../../model/lsn";

type Ctx = GenericMutationCtx<GenericDataModel>;

/** Idempotent: repeating it with the same snapshot keeps the progress recorded so far. */
export async function beginBackfillHandler(ctx: Ctx, args: { slot: string; mirrorId?: string; epoch?: number; snapshotLsn: bigint; tables: string[] }): Promise<MirrorState> {
  const stored = await loadCheckpoint(ctx.db, args.slot);
  assertMirror(stored, args.slot, args.mirrorId);
  assertEpoch(stored, args.slot, args.epoch);
  const next = beginBackfill(stored.fields, args.snapshotLsn, args.tables, Date.now());
  if (next !== stored.fields) await saveCheckpoint(ctx.db, stored, next);
  return toMirrorState(next, args.slot);
}

/** Phase "stream" from here on; the checkpoint moves to `commitLsn`/`endLsn` unless it is already past. */
/** Also records the checklist's "backfill complete" for every table of the backfill, the first time it ends. */
export async function finishBackfillHandler(ctx: Ctx, args: { slot: string; mirrorId?: string; epoch?: number; commitLsn: bigint; endLsn: bigint }): Promise<MirrorState> {
  const stored = await loadCheckpoint(ctx.db, args.slot);
  assertMirror(stored, args.slot, args.mirrorId);
  assertEpoch(stored, args.slot, args.epoch);
  const now = Date.now();
  const next = finishBackfill(stored.fields, { commitLsn: args.commitLsn, endLsn: args.endLsn }, now);
  await saveCheckpoint(ctx.db, stored, next);
  if (stored.fields.phase !== "stream" && next.phase === "stream")
    for (const p of stored.fields.backfill)
      await recordChecklistItem(ctx, {
        table: p.table,
        item: "backfillComplete",
        proof: `backfill of slot ${args.slot} finished (snapshot ${stored.fields.snapshotLsn === undefined ? "-" : formatLsn(stored.fields.snapshotLsn)}, streaming from ${formatLsn(args.commitLsn)})`,
        actor: "pg2convex run",
        at: now,
      });
  return toMirrorState(next, args.slot);
}

/** Rows deleted per resetMirror call, and bytes read (the deleted documents), both well inside the limits. */
const RESET_CHUNK = 2_000;
const RESET_BYTES = 6 * 1024 * 1024;

/**
 * Deletes mirrored rows and pg2convex's bookkeeping (all slots), RESET_CHUNK documents per call; call
 * until isDone. Derived fields are not maintained on the way: everything goes.
 */
export async function resetMirrorHandler(config: MirrorConfig, ctx: Ctx): Promise<{ deleted: number; isDone: boolean }> {
  const tables = [...config.graph.order].reverse().map((d) => d.convexName);
  tables.push(SYSTEM_TABLES.tombstone, SYSTEM_TABLES.tableState, SYSTEM_TABLES.reject, SYSTEM_TABLES.carry, SYSTEM_TABLES.drift, SYSTEM_TABLES.checkpoint);
  let deleted = 0;
  let bytes = 0;
  for (const table of tables) {
    // Small pages, so that a page of maximum-size documents cannot overshoot the read budget.
    for (let docs = await ctx.db.query(table).take(16); docs.length > 0; docs = await ctx.db.query(table).take(16)) {
      for (const d of docs) {
        await ctx.db.delete(table, d._id as GenericId<any>);
        deleted += 1;
        bytes += approxSize(d);
        if (deleted >= RESET_CHUNK || bytes >= RESET_BYTES) return { deleted, isDone: false };
      }
    }
  }
  return { deleted, isDone: true };
}
