// Parity history per table, for the dashboard's timeline against the parity gate: the table's verdicts in
// the most recent parity runs (pg2c_parity_run, newest first). Read-only; it returns verdicts and counts,
// never mirrored rows.
import type { GenericDataModel, GenericQueryCtx } from "convex/server";
import { SYSTEM_TABLES } from "../names";

type QueryCtx = GenericQueryCtx<GenericDataModel>;

export interface ParityRunEntry {
  runId: string;
  mode: string;
  startedAt: number;
  finishedAt: number;
  verdict: string;
  drift: number;
  summary: string;
}

/** Runs looked at: the gate is days long and runs come every hour or so, so a week is ~170 runs. */
const SCAN = 500;

export async function parityRunsHandler(ctx: QueryCtx, args: { tables: string[]; limit?: number }): Promise<{ table: string; runs: ParityRunEntry[] }[]> {
  const limit = Math.max(1, Math.min(args.limit ?? 50, SCAN));
  const runs = (await ctx.db
    .query(SYSTEM_TABLES.parityRun)
    .withIndex("by_started", (q: any) => q)
    .order("desc")
    .take(SCAN)) as unknown as { runId: string; mode: string; startedAt: number; finishedAt: number; tables: { table: string; verdict: string; drift: number; summary: string }[] }[];
  return args.tables.map((table) => ({
    table,
    runs: runs.flatMap((r) => r.tables.filter((t) => t.table === table).map((t) => ({ runId: r.runId, mode: r.mode, startedAt: r.startedAt, finishedAt: r.finishedAt, verdict: t.verdict, drift: t.drift, summary: t.summary }))).slice(0, limit),
  }));
}
