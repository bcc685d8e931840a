// Rejects: rows the mirror does not hold as PostgreSQL has them (pg2c_reject). A reject of (table, key) at
// version `ver` is open until the mirror stores something newer for that key: a document or a tombstone
// with a version above `ver`, or a truncate of the table after `ver`. That is what a later successful
// upsert, delete or truncate of the row leaves behind, whichever process sent it (the stream, a backfill,
// a replay). Settling writes it down on the reject: resolvedAt (ms), resolvedBy (the superseding version)
// and resolvedVia. The rule reads only stored state, so settling any reject at any time, any number of times,
// gives the same answer. A reject whose table this deployment does not mirror, or whose key does not fit
// the table's primary key, never settles by itself: it needs an operator.
//
// Settling runs in its own mutation, not in applyBatch, so a row batch costs exactly what the planner
// estimated (cost.ts); the bridge calls it after a batch that wrote a key with an open reject, and at start.
import type { GenericDataModel, GenericMutationCtx, GenericQueryCtx } from "convex/server";
import type { GenericId, Value } from "convex/values";
import { VERSION_FIELD } from "../../definitions/types";
import type { MirrorConfig } from "../config";
import { MirrorTx } from "./mirror-tx";
import { keyString } from "../../model/key";
import { SYSTEM_TABLES } from "../names";
import type { RejectNotice } from "../wire/protocol";
import { rejectNotice } from "../system-store";

type MutationCtx = GenericMutationCtx<GenericDataModel>;
type QueryCtx = GenericQueryCtx<GenericDataModel>;

export type Resolution = { resolvedBy: bigint; resolvedVia: "upsert" | "delete" | "truncate" };
export type ResolvedReject = RejectNotice & Resolution & { resolvedAt: number };

/** Rejects checked per settleRejects call: each costs up to three index ranges. */
export const SETTLE_PAGE = 200;

export interface SettleResult {
  resolved: ResolvedReject[];
  /** The open rejects looked at that are still open (page mode only). */
  open: RejectNotice[];
  continueCursor: string;
  isDone: boolean;
}

/** Settles the rejects `ids`, or one page of all open rejects (oldest first) when no ids are given. */
export async function settleRejectsHandler(config: MirrorConfig, ctx: MutationCtx, args: { ids?: string[]; cursor?: string | null; numItems?: number }): Promise<SettleResult> {
  const tx = new MirrorTx(config, ctx.db);
  const out: SettleResult = { resolved: [], open: [], continueCursor: "", isDone: true };
  let docs: Array<Record<string, Value>>;
  if (args.ids) {
    const found = await Promise.all(args.ids.slice(0, SETTLE_PAGE).map((id) => getReject(ctx, id)));
    docs = found.filter((d): d is Record<string, Value> => d !== null && d.resolvedAt === undefined);
    out.isDone = args.ids.length <= SETTLE_PAGE;
  } else {
    const page = await openRejects(ctx).paginate({ cursor: args.cursor ?? null, numItems: Math.min(args.numItems ?? SETTLE_PAGE, SETTLE_PAGE) });
    docs = page.page;
    out.continueCursor = page.continueCursor;
    out.isDone = page.isDone;
  }
  const now = Date.now();
  for (const doc of docs) {
    const r = await resolution(tx, doc);
    if (!r) {
      if (!args.ids) out.open.push(rejectNotice(doc));
      continue;
    }
    await ctx.db.patch(doc._id as GenericId<any>, { resolvedAt: now, ...r });
    out.resolved.push({ ...rejectNotice(doc), ...r, resolvedAt: now });
  }
  return out;
}

/** What superseded the reject `doc`, or null while it is open. */
export async function resolution(tx: MirrorTx, doc: Record<string, Value>): Promise<Resolution | null> {
  let info;
  try {
    info = tx.config.table(doc.table as string);
  } catch {
    return null;
  }
  const key = doc.key as Value[];
  const ver = doc.ver as bigint;
  if (!Array.isArray(key) || key.length !== info.def.primaryKey.length) return null;
  const row = await tx.rows.row(info.def, key);
  if (row && (row[VERSION_FIELD] as bigint) > ver) return { resolvedBy: row[VERSION_FIELD] as bigint, resolvedVia: "upsert" };
  const tomb = row ? null : await tx.system.tombstone(info.def.name, keyString(key));
  if (tomb && tomb.ver > ver) return { resolvedBy: tomb.ver, resolvedVia: "delete" };
  const truncatedAt = await tx.system.truncatedAt(info.def.name);
  if (truncatedAt !== null && truncatedAt > ver) return { resolvedBy: truncatedAt, resolvedVia: "truncate" };
  return null;
}

export async function getReject(ctx: QueryCtx | MutationCtx, id: string): Promise<Record<string, Value> | null> {
  const normalized = ctx.db.normalizeId(SYSTEM_TABLES.reject, id);
  return normalized ? ((await ctx.db.get(normalized)) as Record<string, Value> | null) : null;
}

/** Open rejects, oldest first (`order("desc")` for the most recent). */
export function openRejects(ctx: QueryCtx | MutationCtx) {
  return ctx.db.query(SYSTEM_TABLES.reject).withIndex("by_open", (q: any) => q.eq("resolvedAt", undefined));
}

/** One page of rejects: all, one table's, or only the open ones (by time recorded, `order` first). */
export async function listRejects(ctx: QueryCtx, args: { table?: string; open?: boolean; order?: "asc" | "desc"; cursor: string | null; numItems: number }) {
  const base = ctx.db.query(SYSTEM_TABLES.reject);
  let q;
  if (args.open) {
    q = openRejects(ctx).order(args.order ?? "asc");
    if (args.table !== undefined) q = q.filter((f: any) => f.eq(f.field("table"), args.table));
  } else {
    q = (args.table === undefined ? base : base.withIndex("by_table_key", (r: any) => r.eq("table", args.table))).order(args.order ?? "asc");
  }
  const page = await q.paginate({ cursor: args.cursor, numItems: args.numItems });
  return { page: page.page, continueCursor: page.continueCursor, isDone: page.isDone };
}
