// The rollback drill's steps (`pg2convex drill`), each one Convex transaction with its event. Decided:
//  - a drill may run before the parity gate, at a canary share (≤ DRILL_CANARY_MAX %), but only while the
//    mirror is fit to serve reads (fresh heartbeat, lag under its threshold, no dead letters, no drift) and
//    the backfill has finished; a larger share needs the cut-over gates too;
//  - the rollback step is the real rollback (rollbackHandler), so the drill tests the path an operator or
//    the automatic rollback takes;
//  - restore puts back the percentage and phase found at start, but only if the newest event of the table is
//    still this drill's: a rollback by someone else (or the sidecar) meanwhile is never undone by a drill.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import { ConvexError } from "convex/values";
import { unfitReasons, unmetGates, type Phase } from "./rules";
import { ensureMigration, healthInputs, recordEvent } from "./store";
import { rollbackHandler } from "./flags";
import { recordChecklistItem } from "./checklist";

type MutationCtx = GenericMutationCtx<GenericDataModel>;

export const DRILL_CANARY_MAX = 10;

export interface DrillArgs {
  table: string;
  drillId: string;
  actor: string;
  action: "start" | "rollback" | "restore" | "finish";
  /** start: the canary share; gateDays: the cut-over gate, for shares above the canary. */
  percent?: number;
  gateDays?: number;
  /** restore: the state start returned. */
  previous?: { percent: number; phase: Phase };
  /** finish: whether every answer changed within the bound, and the proof (timings). */
  passed?: boolean;
  proof?: string;
}

export type DrillResult = { percent: number; previous: { percent: number; phase: Phase } } | { restored: boolean; why: string } | { recorded: boolean };

export async function drillHandler(ctx: MutationCtx, a: DrillArgs): Promise<DrillResult> {
  const now = Date.now();
  const doc = await ensureMigration(ctx, a.table, now);
  const tag = `drill ${a.drillId}`;
  if (a.action === "start") {
    const share = a.percent ?? 5;
    const target = Math.max(doc.percent, share);
    const inputs = await healthInputs(ctx, a.table);
    const unmet = target > doc.percent && target > DRILL_CANARY_MAX ? unmetGates({ ...inputs, gateDays: a.gateDays ?? 7 }, now) : unfitReasons(inputs, now);
    if (doc.phase === "backfill") unmet.unshift("the table's backfill has not finished");
    // A drill rolls reads back for a moment: to a PostgreSQL copy that no longer changes once writes are gone.
    if (doc.phase === "decommissioned") unmet.unshift("the table is decommissioned (PostgreSQL writes removed): a rollback drill would send reads to a stale copy");
    if (unmet.length) throw new ConvexError({ pg2convex: "DRILL_REFUSED", message: `drill of ${a.table} at ${share}% refused`, unmet });
    if (target !== doc.percent) await ctx.db.patch("pg2c_migration", doc._id, { percent: target, phase: doc.phase === "mirror" ? "canary" : doc.phase, updatedAt: now });
    await recordEvent(ctx, { table: a.table, at: now, kind: "drill-start", actor: a.actor, detail: `${tag}: reads ${doc.percent}% → ${target}% from Convex` });
    return { percent: target, previous: { percent: doc.percent, phase: doc.phase } };
  }
  if (a.action === "rollback") {
    await rollbackHandler(ctx, { table: a.table, actor: a.actor, reason: tag, kind: "drill-rollback" });
    return { restored: false, why: "rolled back" };
  }
  if (a.action === "restore") {
    const latest = await ctx.db
      .query("pg2c_migration_event")
      .withIndex("by_table_at", (q: any) => q.eq("table", a.table))
      .order("desc")
      .first();
    const ours = latest && String(latest.kind).startsWith("drill-") && String(latest.detail).includes(tag);
    if (!ours) return { restored: false, why: `the flag changed during the drill (${latest ? `${String(latest.kind)} by ${String(latest.actor)}` : "no event"}): left as it is` };
    const prev = a.previous!;
    await ctx.db.patch("pg2c_migration", doc._id, { percent: prev.percent, phase: prev.phase, updatedAt: now });
    await recordEvent(ctx, { table: a.table, at: now, kind: "drill-restore", actor: a.actor, detail: `${tag}: reads ${doc.percent}% → ${prev.percent}% (phase ${prev.phase}) as before the drill` });
    return { restored: true, why: "restored" };
  }
  if (a.passed) await recordChecklistItem(ctx, { table: a.table, item: "rollbackTested", proof: `${tag}: ${a.proof ?? ""}`, actor: a.actor, at: now });
  else await recordEvent(ctx, { table: a.table, at: now, kind: "drill-failed", actor: a.actor, detail: `${tag}: ${a.proof ?? ""}` });
  return { recorded: a.passed === true };
}
