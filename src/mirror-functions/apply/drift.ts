// pg2c_drift: what the mirror saw that its definitions do not describe (decode/drift.ts on the bridge side), so
// nothing is lost and the table is visibly drifted. One document per (table, column, key, kind): key "" for a
// table-level finding (the periodic catalog check, a truncated partition). The raw value of the newest change
// (by LSN) is kept there for a re-sync or replay to find; `count` counts the notes merged into the document.
// Invariant: recording is idempotent per note (a replayed note with the same or an older LSN changes nothing but
// `seen`), so a crash between recording and applying the transaction loses nothing and doubles nothing.
import type { GenericDataModel, GenericMutationCtx, GenericQueryCtx } from "convex/server";
import { v, type GenericId, type Infer } from "convex/values";
import { SYSTEM_TABLES } from "../names";

export const driftEntryValidator = v.object({
  table: v.string(),
  column: v.string(),
  kind: v.string(),
  detail: v.string(),
  keyString: v.string(),
  key: v.optional(v.array(v.any())),
  raw: v.optional(v.string()),
  lsn: v.optional(v.int64()),
});
export type DriftEntry = Infer<typeof driftEntryValidator>;

export const driftTable = {
  ...driftEntryValidator.fields,
  firstAt: v.number(),
  lastAt: v.number(),
  count: v.number(),
};

/** At most this many entries per recordDrift call (the bridge splits larger lists). */
export const DRIFT_PAGE = 200;

export async function recordDriftHandler(ctx: GenericMutationCtx<GenericDataModel>, args: { entries: DriftEntry[] }): Promise<{ recorded: number }> {
  const now = Date.now();
  for (const e of args.entries) {
    // One document per kind too: a retyped value is both a type change and (maybe) undecodable.
    const same = await ctx.db
      .query(SYSTEM_TABLES.drift)
      .withIndex("by_entry", (q: any) => q.eq("table", e.table).eq("column", e.column).eq("keyString", e.keyString))
      .take(16);
    const found = same.find((d) => d.kind === e.kind);
    if (!found) {
      await ctx.db.insert(SYSTEM_TABLES.drift, { ...e, firstAt: now, lastAt: now, count: 1 });
      continue;
    }
    const newer = e.lsn === undefined || found.lsn === undefined || e.lsn > (found.lsn as bigint);
    await ctx.db.patch(found._id as GenericId<string>, newer ? { ...e, lastAt: now, count: (found.count as number) + 1 } : { lastAt: now });
  }
  return { recorded: args.entries.length };
}

export interface DriftSummary {
  table: string;
  column: string;
  kinds: string[];
  detail: string;
  rows: number;
  lastAt: number;
}

/** Per (table, column): what drifted, for status and health. Reads at most `limit` entries. */
export async function listDrift(ctx: GenericQueryCtx<GenericDataModel>, limit = 4000): Promise<{ tables: DriftSummary[]; truncated: boolean }> {
  const docs = await ctx.db.query(SYSTEM_TABLES.drift).take(limit + 1);
  const groups = new Map<string, DriftSummary>();
  for (const d of docs.slice(0, limit)) {
    const id = `${d.table}\u0000${d.column}`;
    const g = groups.get(id) ?? { table: d.table as string, column: d.column as string, kinds: [], detail: d.detail as string, rows: 0, lastAt: 0 };
    if (!g.kinds.includes(d.kind as string)) g.kinds.push(d.kind as string);
    if (d.keyString !== "") g.rows += 1;
    if ((d.lastAt as number) >= g.lastAt) g.detail = d.detail as string;
    g.lastAt = Math.max(g.lastAt, d.lastAt as number);
    groups.set(id, g);
  }
  return { tables: [...groups.values()], truncated: docs.length > limit };
}

/** The entries of one table, page by page (a re-sync or an operator reads the raw values here). */
export async function listDriftEntries(ctx: GenericQueryCtx<GenericDataModel>, args: { table: string; cursor: string | null; numItems: number }) {
  const page = await ctx.db
    .query(SYSTEM_TABLES.drift)
    .withIndex("by_entry", (q: any) => q.eq("table", args.table))
    .paginate({ cursor: args.cursor, numItems: Math.min(args.numItems, 1000) });
  return { page: page.page, continueCursor: page.continueCursor, isDone: page.isDone };
}

/** Removes a table's entries (a re-sync that copied the table again calls it); returns how many, and whether more remain. */
export async function clearDriftHandler(ctx: GenericMutationCtx<GenericDataModel>, args: { table: string }): Promise<{ removed: number; more: boolean }> {
  const docs = await ctx.db
    .query(SYSTEM_TABLES.drift)
    .withIndex("by_entry", (q: any) => q.eq("table", args.table))
    .take(DRIFT_PAGE + 1);
  for (const d of docs.slice(0, DRIFT_PAGE)) await ctx.db.delete(d._id as GenericId<string>);
  return { removed: Math.min(docs.length, DRIFT_PAGE), more: docs.length > DRIFT_PAGE };
}
