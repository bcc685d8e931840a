// Moving a table's reads: cut-over (gated), rollback (never refused), and the read answer itself.
import type { GenericDataModel, GenericMutationCtx, GenericQueryCtx } from "convex/server";
import { ConvexError } from "convex/values";
import { readAnswer, unfitReasons, unmetGates, type Phase, type ReadAnswer } from "./rules";
import { ensureMigration, healthInputs, migrationOf, recordEvent } from "./store";

type QueryCtx = GenericQueryCtx<GenericDataModel>;
type MutationCtx = GenericMutationCtx<GenericDataModel>;

/** The app's question: read `table` from Convex for `caller`? Safe to expose: it returns no mirrored data. */
export async function readFromHandler(ctx: QueryCtx, args: { table: string; caller: string }): Promise<ReadAnswer> {
  const now = Date.now();
  const doc = await migrationOf(ctx, args.table);
  if (!doc || doc.percent <= 0) return { source: "postgres", reason: doc ? "flag at 0%" : "table has no read flag", validUntil: Number.MAX_SAFE_INTEGER };
  if (isDecommissioned(doc)) return { source: "convex", reason: DECOMMISSIONED, validUntil: Number.MAX_SAFE_INTEGER };
  return readAnswer(doc.percent, args.table, args.caller, await healthInputs(ctx, args.table), now);
}

const DECOMMISSIONED = "PostgreSQL writes removed (decommissioned): Convex is the table's source of truth";

/**
 * A table whose PostgreSQL write path was removed with every read on Convex: PostgreSQL's copy no longer changes,
 * so it is never the safer answer again. Reads stay on Convex whatever the sidecar's state (it may be gone for
 * good), and the automatic rollback leaves the table alone (health-report.ts). Only a person moves it back.
 */
export function isDecommissioned(doc: { phase: string; percent: number }): boolean {
  return doc.phase === "decommissioned" && doc.percent >= 100;
}

export interface FlagState {
  table: string;
  percent: number;
  /** Why the mirror may not serve reads now; empty when fit. */
  unfit: string[];
  /** The state holds until then at most: a caller that cannot refresh it by then uses PostgreSQL. */
  validUntil: number;
}

/** The flags of several tables at once, for the app-side helper that buckets callers itself. No mirrored data. */
export async function readFlagsHandler(ctx: QueryCtx, args: { tables: string[] }): Promise<FlagState[]> {
  const now = Date.now();
  const out: FlagState[] = [];
  for (const table of args.tables) {
    const doc = await migrationOf(ctx, table);
    const percent = doc?.percent ?? 0;
    if (percent <= 0) {
      out.push({ table, percent: 0, unfit: [], validUntil: Number.MAX_SAFE_INTEGER });
      continue;
    }
    if (doc && isDecommissioned(doc)) {
      out.push({ table, percent, unfit: [], validUntil: Number.MAX_SAFE_INTEGER });
      continue;
    }
    const inputs = await healthInputs(ctx, table);
    const answer = readAnswer(percent, table, "", inputs, now);
    out.push({ table, percent, unfit: unfitReasons(inputs, now), validUntil: answer.validUntil });
  }
  return out;
}

export interface CutoverArgs {
  table: string;
  percent: number;
  gateDays: number;
  actor: string;
  force?: { reason: string };
}

const phaseFor = (percent: number, current: Phase): Phase => (current === "decommissioned" ? current : percent >= 100 ? "cutover" : percent > 0 ? "canary" : "mirror");

/** Raises (or lowers) the share of reads served by Convex; refuses, naming every unmet gate, unless forced. */
export async function cutoverHandler(ctx: MutationCtx, args: CutoverArgs): Promise<{ percent: number; phase: Phase; overridden: string[] }> {
  if (!Number.isInteger(args.percent) || args.percent < 0 || args.percent > 100) throw new ConvexError({ pg2convex: "CUTOVER_REFUSED", message: `percent must be an integer 0–100, got ${args.percent}`, unmet: [] });
  const now = Date.now();
  const doc = await ensureMigration(ctx, args.table, now);
  const unmet = args.percent > doc.percent ? unmetGates({ ...(await healthInputs(ctx, args.table)), gateDays: args.gateDays }, now) : [];
  if (doc.phase === "backfill") unmet.unshift("the table's backfill has not finished");
  if (unmet.length && !args.force) throw new ConvexError({ pg2convex: "CUTOVER_REFUSED", message: `cut-over of ${args.table} to ${args.percent}% refused`, unmet });
  const phase = phaseFor(args.percent, doc.phase);
  await ctx.db.patch("pg2c_migration", doc._id, { percent: args.percent, phase, updatedAt: now });
  const forced = unmet.length ? `; FORCED past: ${unmet.join("; ")} (reason: ${args.force!.reason})` : "";
  await recordEvent(ctx, { table: args.table, at: now, kind: unmet.length ? "cutover-forced" : "cutover", actor: args.actor, detail: `reads ${doc.percent}% → ${args.percent}% from Convex${forced}` });
  return { percent: args.percent, phase, overridden: unmet };
}

/** Sends every read of `table` back to PostgreSQL at once; never refused. */
export async function rollbackHandler(ctx: MutationCtx, args: { table: string; actor: string; reason: string; kind?: string }): Promise<{ previous: number }> {
  const now = Date.now();
  const doc = await ensureMigration(ctx, args.table, now);
  if (doc.percent > 0 || args.kind === undefined) {
    await ctx.db.patch("pg2c_migration", doc._id, { percent: 0, phase: doc.phase === "decommissioned" ? doc.phase : "mirror", updatedAt: now });
    await recordEvent(ctx, { table: args.table, at: now, kind: args.kind ?? "rollback", actor: args.actor, detail: `reads ${doc.percent}% → 0% from Convex: ${args.reason}` });
  }
  return { previous: doc.percent };
}
