// The sidecar's heartbeat, and the automatic rollback it drives. Invariants:
//  - a table whose reads are (partly) on Convex and whose mirror is unfit (lag, dead letters, drift, failed
//    applies, or a heartbeat gap: the sidecar was dead or cut off from Convex) is moved back to PostgreSQL in
//    the same transaction that records the heartbeat and the reason;
//  - nothing here ever raises a flag: recovery leaves reads on PostgreSQL until someone cuts over again;
//  - a decommissioned table (PostgreSQL writes removed, all reads on Convex) is never rolled back: PostgreSQL's
//    copy of it is stale by design (flags.ts isDecommissioned).
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import { unfitReasons, type Thresholds } from "./rules";
import { deadLetterCount, parityOf, recordEvent, latestHeartbeat, type MigrationDoc } from "./store";
import { isDecommissioned, rollbackHandler } from "./flags";

type MutationCtx = GenericMutationCtx<GenericDataModel>;

export interface HealthReportArgs {
  slot: string;
  lagSeconds: number;
  /** Failed batch applies since the previous report. */
  applyFailures: number;
  thresholds: Thresholds;
  /** Set when the sidecar could not reach Convex for a while before this report. */
  outageSeconds?: number;
  /** When this sidecar process started (constant per process): a new value counts one more start of the slot. */
  startedAt?: number;
  /** Alert webhooks (generic and Slack) the sidecar runs with. */
  alertWebhooks?: number;
}

export interface HealthReportResult {
  rolledBack: { table: string; reasons: string[] }[];
  /** Tables cut over (percent > 0) and their current problems, empty when fit (for alert recovery notices). */
  watched: { table: string; percent: number; reasons: string[] }[];
}

export async function reportHealthHandler(ctx: MutationCtx, args: HealthReportArgs): Promise<HealthReportResult> {
  const now = Date.now();
  const previous = await latestHeartbeat(ctx);
  const gapMs = previous ? now - previous.at : 0;
  const existing = await ctx.db
    .query("pg2c_sidecar")
    .withIndex("by_slot", (q: any) => q.eq("slot", args.slot))
    .unique();
  const prevStart = existing as { startedAt?: number; starts?: number } | null;
  const starts = (prevStart?.starts ?? 0) + (args.startedAt !== undefined && args.startedAt !== prevStart?.startedAt ? 1 : 0);
  const started: Record<string, number> = args.startedAt !== undefined ? { startedAt: args.startedAt, starts } : {};
  const beat = { slot: args.slot, at: now, lagSeconds: args.lagSeconds, applyFailures: args.applyFailures, thresholds: { ...args.thresholds }, ...started, ...(args.alertWebhooks !== undefined ? { alertWebhooks: args.alertWebhooks } : {}) };
  if (existing) await ctx.db.patch("pg2c_sidecar", existing._id as any, beat as Record<string, any>);
  else await ctx.db.insert("pg2c_sidecar", beat as Record<string, any>);

  const result: HealthReportResult = { rolledBack: [], watched: [] };
  const cut = ((await ctx.db.query("pg2c_migration").collect()) as unknown as MigrationDoc[]).filter((d) => d.percent > 0 && !isDecommissioned(d));
  for (const doc of cut) {
    const parity = await parityOf(ctx, doc.table);
    const reasons = unfitReasons({ heartbeat: beat, deadLetters: await deadLetterCount(ctx, doc.table), drifted: parity.lastVerdict === "drift" }, now);
    if (args.applyFailures > args.thresholds.maxApplyFailures) reasons.push(`${args.applyFailures} failed applies since the last heartbeat (limit ${args.thresholds.maxApplyFailures})`);
    if (previous && gapMs > previous.thresholds.staleAfterMs) reasons.push(`no heartbeat for ${Math.round(gapMs / 1000)} s (sidecar down or Convex unreachable)`);
    if (args.outageSeconds !== undefined && args.outageSeconds * 1000 > args.thresholds.staleAfterMs) reasons.push(`Convex unreachable from the sidecar for ${Math.round(args.outageSeconds)} s`);
    if (reasons.length) {
      await rollbackHandler(ctx, { table: doc.table, actor: "pg2convex (automatic)", reason: reasons.join("; "), kind: "auto-rollback" });
      result.rolledBack.push({ table: doc.table, reasons });
    } else result.watched.push({ table: doc.table, percent: doc.percent, reasons });
  }
  if (result.rolledBack.length) await recordEvent(ctx, { table: "*", at: now, kind: "alert", actor: "pg2convex (automatic)", detail: `reads rolled back to PostgreSQL: ${result.rolledBack.map((r) => r.table).join(", ")}` });
  return result;
}
