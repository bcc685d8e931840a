// Reads and writes of the control tables, inside one Convex transaction each, so a flag change, the
// refusal or the automatic rollback and the event that records why are atomic.
import type { GenericDataModel, GenericMutationCtx, GenericQueryCtx } from "convex/server";
import { SYSTEM_TABLES } from "../names";
import { openRejects } from "../apply/rejects";
import type { Heartbeat, Phase, TableHealthInputs } from "./rules";

type QueryCtx = GenericQueryCtx<GenericDataModel>;
type MutationCtx = GenericMutationCtx<GenericDataModel>;

export interface MigrationDoc {
  _id: any;
  table: string;
  phase: Phase;
  percent: number;
  updatedAt: number;
  checklist: { item: string; at: number; proof: string }[];
}

export async function migrationOf(ctx: QueryCtx, table: string): Promise<MigrationDoc | null> {
  return (await ctx.db
    .query("pg2c_migration")
    .withIndex("by_table", (q: any) => q.eq("table", table))
    .unique()) as MigrationDoc | null;
}

/** The table's document, created in phase "mirror" (or "backfill") at 0% on first use. */
export async function ensureMigration(ctx: MutationCtx, table: string, now: number): Promise<MigrationDoc> {
  const doc = await migrationOf(ctx, table);
  if (doc) return doc;
  const state = await ctx.db.query(SYSTEM_TABLES.checkpoint).first();
  const fresh = { table, phase: (state as { phase?: string } | null)?.phase === "stream" ? ("mirror" as const) : ("backfill" as const), percent: 0, updatedAt: now, checklist: [] };
  const _id = await ctx.db.insert("pg2c_migration", fresh);
  return { _id, ...fresh };
}

/** The newest heartbeat of any sidecar of this deployment. */
export async function latestHeartbeat(ctx: QueryCtx): Promise<Heartbeat | null> {
  const doc = (await ctx.db
    .query("pg2c_sidecar")
    .withIndex("by_at", (q: any) => q)
    .order("desc")
    .first()) as Heartbeat | null;
  return doc ? { at: doc.at, lagSeconds: doc.lagSeconds, applyFailures: doc.applyFailures, thresholds: doc.thresholds } : null;
}

/** Open dead letters (rejects) of `table`, counted up to `cap` (enough to compare with a threshold). */
export async function deadLetterCount(ctx: QueryCtx, table: string, cap = 1_000): Promise<number> {
  const rows = await openRejects(ctx)
    .filter((f: any) => f.eq(f.field("table"), table))
    .take(cap);
  return rows.length;
}

export async function parityOf(ctx: QueryCtx, table: string): Promise<{ greenSince: number | null; lastVerdict: string | null }> {
  const doc = (await ctx.db
    .query(SYSTEM_TABLES.parityTable)
    .withIndex("by_table", (q: any) => q.eq("table", table))
    .unique()) as { greenSince: number | null; lastVerdict: string } | null;
  return { greenSince: doc?.greenSince ?? null, lastVerdict: doc?.lastVerdict ?? null };
}

export async function healthInputs(ctx: QueryCtx, table: string): Promise<TableHealthInputs & { greenSince: number | null }> {
  const [heartbeat, deadLetters, parity] = await Promise.all([latestHeartbeat(ctx), deadLetterCount(ctx, table), parityOf(ctx, table)]);
  return { heartbeat, deadLetters, drifted: parity.lastVerdict === "drift", greenSince: parity.greenSince };
}

export async function recordEvent(ctx: MutationCtx, e: { table: string; at: number; kind: string; actor: string; detail: string }): Promise<void> {
  await ctx.db.insert("pg2c_migration_event", e);
}
