// The per-table checklist: each item says when it became true and what proved it. Two kinds:
//  - recorded (stored in pg2c_migration.checklist, first proof kept, later proofs replace it): backfill
//    complete (finishBackfill), idempotency tested (a clean sample/full parity run after the sidecar resumed
//    from its checkpoint, i.e. after changes were replayed onto the mirror), rollback tested (a passed drill),
//    PostgreSQL write path removed (`pg2convex inventory --record` finding no write site for the table);
//  - derived when read, because they stop being true by themselves: retry/alerts configured (the live
//    sidecar's heartbeat says it runs with alert webhooks), parity green for the gate's days, read cut-over
//    enabled and stable (100% for the gate's days with no rollback since).
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import { ConvexError } from "convex/values";
import { CHECKLIST, type ChecklistItem } from "./rules";
import { ensureMigration, recordEvent, type MigrationDoc } from "./store";

type MutationCtx = GenericMutationCtx<GenericDataModel>;

export const RECORDED_ITEMS: readonly ChecklistItem[] = ["backfillComplete", "idempotencyTested", "rollbackTested", "postgresWritesRemoved"];

/** Stores `item` for `table` with its proof (replacing an older proof of the same item), and an event. */
export async function recordChecklistItem(ctx: MutationCtx, a: { table: string; item: ChecklistItem; proof: string; actor: string; at?: number }): Promise<MigrationDoc> {
  const now = a.at ?? Date.now();
  const doc = await ensureMigration(ctx, a.table, now);
  const checklist = [...doc.checklist.filter((c) => c.item !== a.item), { item: a.item, at: now, proof: a.proof }];
  // The last item of the plan: reads are fully on Convex and nothing writes the table in PostgreSQL any more.
  const phase = a.item === "postgresWritesRemoved" && doc.phase === "cutover" ? "decommissioned" : a.item === "backfillComplete" && doc.phase === "backfill" ? "mirror" : doc.phase;
  await ctx.db.patch("pg2c_migration", doc._id, { checklist, phase, updatedAt: doc.updatedAt });
  await recordEvent(ctx, { table: a.table, at: now, kind: "checklist", actor: a.actor, detail: `${a.item}: ${a.proof}` });
  return { ...doc, checklist, phase };
}

/**
 * Called with each recorded parity run: a clean sample/full run of a table that started after the sidecar
 * resumed from its checkpoint (its slot has seen 2+ starts) proves that replayed changes left the mirror equal
 * to PostgreSQL — "idempotency tested". Recorded once per table (the first such run).
 */
export async function noteParityRun(ctx: MutationCtx, run: { runId: string; slot: string; mode: string; startedAt: number; tables: { table: string; verdict: string }[] }): Promise<void> {
  if (run.mode === "count") return;
  const sidecar = (await ctx.db
    .query("pg2c_sidecar")
    .withIndex("by_slot", (q: any) => q.eq("slot", run.slot))
    .unique()) as { startedAt?: number; starts?: number } | null;
  if (!sidecar || (sidecar.starts ?? 0) < 2 || sidecar.startedAt === undefined || sidecar.startedAt > run.startedAt) return;
  for (const t of run.tables.filter((x) => x.verdict === "clean")) {
    const doc = await ensureMigration(ctx, t.table, run.startedAt);
    if (doc.checklist.some((c) => c.item === "idempotencyTested")) continue;
    const proof = `parity run ${run.runId} (${run.mode}) clean after the sidecar of slot ${run.slot} resumed from its checkpoint at ${new Date(sidecar.startedAt).toISOString()} (start ${sidecar.starts}): replayed changes left the mirror equal`;
    await recordChecklistItem(ctx, { table: t.table, item: "idempotencyTested", proof, actor: "pg2convex parity" });
  }
}

/** The internal mutation behind `inventory --record` (and any other tool that proves an item). */
export async function recordChecklistHandler(ctx: MutationCtx, args: { table: string; item: string; proof: string; actor: string }): Promise<{ phase: string }> {
  if (!(RECORDED_ITEMS as readonly string[]).includes(args.item)) throw new ConvexError({ pg2convex: "CHECKLIST_ITEM_UNKNOWN", message: `checklist item ${args.item} is not recorded by hand; recorded items: ${RECORDED_ITEMS.join(", ")}` });
  const doc = await recordChecklistItem(ctx, { ...args, item: args.item as ChecklistItem });
  return { phase: doc.phase };
}

export interface DerivedInputs {
  doc: MigrationDoc | null;
  greenSince: number | null;
  gateDays: number;
  /** Alert webhooks of the live sidecar (fresh heartbeat), with when it started; null when none is live. */
  alerts: { webhooks: number; since: number } | null;
}

export function checklistOf(d: DerivedInputs, now: number): { item: string; at: number | null; proof: string | null }[] {
  const day = 86_400_000;
  const derived: Partial<Record<ChecklistItem, { at: number; proof: string }>> = {};
  if (d.alerts && d.alerts.webhooks > 0) derived.alertsConfigured = { at: d.alerts.since, proof: `the live sidecar runs with ${d.alerts.webhooks} alert webhook(s) and automatic rollback` };
  if (d.greenSince !== null && now - d.greenSince >= d.gateDays * day) derived.parityGreen = { at: d.greenSince + d.gateDays * day, proof: `parity clean since ${new Date(d.greenSince).toISOString()} (gate ${d.gateDays} d)` };
  // Every flag change (a rollback included) moves updatedAt; checklist records keep it.
  const full = d.doc && d.doc.percent >= 100 ? d.doc.updatedAt : null;
  if (full !== null && now - full >= d.gateDays * day) derived.readCutoverStable = { at: full + d.gateDays * day, proof: `reads 100% on Convex since ${new Date(full).toISOString()} with no rollback (window ${d.gateDays} d)` };
  return CHECKLIST.map((item) => {
    const e = (RECORDED_ITEMS.includes(item) ? d.doc?.checklist.find((c) => c.item === item) : undefined) ?? derived[item];
    return { item, at: e?.at ?? null, proof: e?.proof ?? null };
  });
}
