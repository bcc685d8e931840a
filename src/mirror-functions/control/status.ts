// The migration as `pg2convex status` and the dashboard show it: per table phase, flag, checklist, gates.
import type { GenericDataModel, GenericQueryCtx } from "convex/server";
import { unfitReasons } from "./rules";
import { checklistOf } from "./checklist";
import { deadLetterCount, latestHeartbeat, parityOf, type MigrationDoc } from "./store";

type QueryCtx = GenericQueryCtx<GenericDataModel>;

export interface MigrationRow {
  table: string;
  phase: string;
  percent: number;
  updatedAt: number | null;
  greenSince: number | null;
  deadLetters: number;
  /** Why reads of this table would be served by PostgreSQL now, whatever the flag says. */
  unfit: string[];
  checklist: { item: string; at: number | null; proof: string | null }[];
  events: { at: number; kind: string; actor: string; detail: string }[];
}

export async function migrationStatusHandler(ctx: QueryCtx, args: { tables: string[]; events?: number; gateDays?: number }): Promise<{ heartbeat: { at: number; lagSeconds: number } | null; tables: MigrationRow[] }> {
  const now = Date.now();
  const heartbeat = await latestHeartbeat(ctx);
  const live = (await ctx.db
    .query("pg2c_sidecar")
    .withIndex("by_at", (q: any) => q)
    .order("desc")
    .first()) as { at: number; startedAt?: number; alertWebhooks?: number } | null;
  const fresh = live && heartbeat && now - live.at <= heartbeat.thresholds.staleAfterMs;
  const alerts = fresh && live.alertWebhooks ? { webhooks: live.alertWebhooks, since: live.startedAt ?? live.at } : null;
  const rows: MigrationRow[] = [];
  for (const table of args.tables) {
    const doc = (await ctx.db
      .query("pg2c_migration")
      .withIndex("by_table", (q: any) => q.eq("table", table))
      .unique()) as MigrationDoc | null;
    const parity = await parityOf(ctx, table);
    const deadLetters = await deadLetterCount(ctx, table);
    const events = await ctx.db
      .query("pg2c_migration_event")
      .withIndex("by_table_at", (q: any) => q.eq("table", table))
      .order("desc")
      .take(args.events ?? 10);
    rows.push({
      table,
      phase: doc?.phase ?? "mirror",
      percent: doc?.percent ?? 0,
      updatedAt: doc?.updatedAt ?? null,
      greenSince: parity.greenSince,
      deadLetters,
      unfit: unfitReasons({ heartbeat, deadLetters, drifted: parity.lastVerdict === "drift" }, now),
      checklist: checklistOf({ doc, greenSince: parity.greenSince, gateDays: args.gateDays ?? 7, alerts }, now),
      events: events.map((e: any) => ({ at: e.at, kind: e.kind, actor: e.actor, detail: e.detail })),
    });
  }
  return { heartbeat: heartbeat ? { at: heartbeat.at, lagSeconds: heartbeat.lagSeconds } : null, tables: rows };
}
