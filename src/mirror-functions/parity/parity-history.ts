// Parity history: one pg2c_parity_run document per run, and one pg2c_parity_table document per table
// holding its green streak. Invariants for each table document:
//   greenSince = start of the earliest run of the current unbroken series of clean sample/full runs
//                (null after a run that found drift, until the next clean sample/full run);
//   lastDriftAt/lastDrift = the most recent run that found drift in this table.
// A count-mode run can break a streak (counts differ) but never start one: counts alone prove little.
import type { GenericDataModel, GenericMutationCtx, GenericQueryCtx } from "convex/server";
import { v, type GenericId, type Infer } from "convex/values";
import { SYSTEM_TABLES } from "../names";
import { noteParityRun } from "../control/checklist";

export const parityVerdict = v.union(v.literal("clean"), v.literal("drift"));
export const parityMode = v.union(v.literal("count"), v.literal("sample"), v.literal("full"));

export const parityTableResult = v.object({
  table: v.string(),
  verdict: parityVerdict,
  /** Rows (and invariant violations) in drift. */
  drift: v.number(),
  inFlight: v.number(),
  /** One line for `status`, e.g. "2 mismatched (name), 1 missing". */
  summary: v.string(),
});

export const recordParityRunArgs = {
  runId: v.string(),
  slot: v.string(),
  mode: parityMode,
  startedAt: v.number(),
  finishedAt: v.number(),
  reportVersion: v.number(),
  tables: v.array(parityTableResult),
};

export const parityRunTable = {
  ...recordParityRunArgs,
  verdict: parityVerdict,
};

export const parityTableState = {
  table: v.string(),
  greenSince: v.union(v.number(), v.null()),
  lastRunAt: v.number(),
  lastMode: parityMode,
  lastVerdict: parityVerdict,
  lastDriftAt: v.union(v.number(), v.null()),
  lastDrift: v.union(v.object({ rows: v.number(), summary: v.string(), runId: v.string() }), v.null()),
  runs: v.number(),
};

export const parityTableStateValidator = v.object(parityTableState);
export const recordParityRunValidator = v.object(recordParityRunArgs);
export type ParityTableState = Infer<typeof parityTableStateValidator>;
export type RecordParityRunArgs = Infer<typeof recordParityRunValidator>;
type Args = RecordParityRunArgs;

/** Idempotent per runId: recording the same run twice changes nothing. */
export async function recordParityRun(ctx: GenericMutationCtx<GenericDataModel>, args: Args): Promise<{ recorded: boolean }> {
  const seen = await ctx.db
    .query(SYSTEM_TABLES.parityRun)
    .withIndex("by_run", (q: any) => q.eq("runId", args.runId))
    .first();
  if (seen) return { recorded: false };
  const verdict = args.tables.some((t) => t.verdict === "drift") ? "drift" : "clean";
  await ctx.db.insert(SYSTEM_TABLES.parityRun, { ...args, verdict } as any);
  for (const t of args.tables) {
    const doc = await ctx.db
      .query(SYSTEM_TABLES.parityTable)
      .withIndex("by_table", (q: any) => q.eq("table", t.table))
      .first();
    const prev = doc as unknown as ParityTableState | null;
    await (doc ? ctx.db.replace(SYSTEM_TABLES.parityTable, doc._id as GenericId<any>, next(prev, args, t) as any) : ctx.db.insert(SYSTEM_TABLES.parityTable, next(null, args, t) as any));
  }
  await noteParityRun(ctx, args);
  return { recorded: true };
}

export function next(prev: ParityTableState | null, run: Pick<Args, "runId" | "mode" | "startedAt">, t: Args["tables"][number]): ParityTableState {
  const drift = t.verdict === "drift";
  const counts = run.mode === "count";
  const greenSince = drift ? null : counts ? (prev?.greenSince ?? null) : (prev?.greenSince ?? run.startedAt);
  return {
    table: t.table,
    greenSince,
    lastRunAt: run.startedAt,
    lastMode: run.mode,
    lastVerdict: t.verdict,
    lastDriftAt: drift ? run.startedAt : (prev?.lastDriftAt ?? null),
    lastDrift: drift ? { rows: t.drift, summary: t.summary, runId: run.runId } : (prev?.lastDrift ?? null),
    runs: (prev?.runs ?? 0) + 1,
  };
}

export async function parityStatus(ctx: GenericQueryCtx<GenericDataModel>): Promise<ParityTableState[]> {
  const docs = await ctx.db.query(SYSTEM_TABLES.parityTable).take(1_000);
  return docs.map(({ _id: _i, _creationTime: _ct, ...rest }) => rest as unknown as ParityTableState);
}
