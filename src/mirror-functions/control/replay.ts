// `pg2convex dlq replay`: the Convex side. The CLI re-read the entry's row from PostgreSQL and stamped it
// with a version (src/dlq/read-current.ts says why that version is safe); this mutation applies it and
// settles the entry in ONE transaction. Invariants:
//  - the op goes through the same row ops as applyBatch (row-ops.ts: version rule, tombstone, derived fields,
//    children's links), so a row already newer in Convex is left alone (the op is skipped);
//  - it never touches the slot's checkpoint document (no checkpoint, no resume point, no lastBatchId): the
//    streaming leader's batches and their resume state are not disturbed, and no epoch is needed — a replay is
//    correct whoever leads, by version alone;
//  - whether the entry is resolved is the settle rule (rejects.ts, `resolution`), read after the write: the
//    entry counts as resolved by the replay only when the version now stored is the one the replay wrote;
//  - a row the mutation itself cannot store (rejected in row-ops) aborts the whole transaction: no new entry,
//    the old one stays open, and the CLI reports the reason.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import { ConvexError, type Value } from "convex/values";
import type { MirrorConfig } from "../config";
import { loadCheckpoint } from "../apply/checkpoint";
import { assertMirror } from "../apply/mirror-identity";
import { MirrorTx } from "../apply/mirror-tx";
import { storeCarries } from "../apply/carry";
import { getReject, resolution, type Resolution } from "../apply/rejects";
import { applyDelete, applyUpsert } from "../apply/row-ops";
import { SYSTEM_TABLES } from "../names";
import type { Op } from "../wire/protocol";
import { keyString } from "../../model/key";
import { formatLsn } from "../../model/lsn";
import { recordEvent } from "./store";

type MutationCtx = GenericMutationCtx<GenericDataModel>;
type RowOp = Extract<Op, { o: "upsert" | "delete" }>;

export interface ReplayResult {
  table: string;
  /** What the op did: applied, or skipped because Convex already held a newer (or equal) version. */
  outcome: "applied" | "skipped";
  /** How the entry stands now: still open, resolved by this replay, or by a newer write of its row. */
  entry: "open" | "replay" | "upsert" | "delete" | "truncate" | "already-resolved";
  /** The version that superseded the entry (when resolved). */
  resolvedBy?: bigint;
}

/** Pure: how a replay that wrote `ver` settles an entry, given what supersedes it after the write. */
export function replayVerdict(r: Resolution | null, ver: bigint): ReplayResult["entry"] {
  if (r === null) return "open";
  // The version stored now is the replay's own: the replay is what made the mirror hold PostgreSQL's row.
  if (r.resolvedBy === ver && r.resolvedVia !== "truncate") return "replay";
  return r.resolvedVia;
}

export async function replayDeadLetterHandler(config: MirrorConfig, ctx: MutationCtx, args: { slot: string; mirrorId?: string; id: string; op: RowOp; actor: string }): Promise<ReplayResult> {
  const doc = await getReject(ctx, args.id);
  if (!doc) throw new ConvexError({ pg2convex: "DEAD_LETTER_UNKNOWN", message: `no dead letter with id ${args.id}` });
  const table = doc.table as string;
  const def = config.table(args.op.t).def;
  if (def.name !== table || keyString(args.op.k) !== keyString(doc.key as Value[])) {
    throw new ConvexError({ pg2convex: "DEAD_LETTER_MISMATCH", message: `the replayed row (${def.name} ${keyString(args.op.k)}) is not the dead letter's (${table} ${keyString(doc.key as Value[])})` });
  }
  assertMirror(await loadCheckpoint(ctx.db, args.slot), args.slot, args.mirrorId);
  const tx = new MirrorTx(config, ctx.db, undefined, `replay-${args.id}`);
  const outcome = args.op.o === "upsert" ? await applyUpsert(tx, args.op) : await applyDelete(tx, args.op);
  if (outcome === "rejected") {
    const r = tx.rejects[0];
    throw new ConvexError({ pg2convex: "DEAD_LETTER_UNSTORABLE", code: r?.code ?? "REJECTED", message: r?.reason ?? "the row was rejected" });
  }
  await tx.rows.flush();
  await storeCarries(tx);
  if (doc.resolvedAt !== undefined) return { table, outcome, entry: "already-resolved" };
  const r = await resolution(tx, doc);
  const entry = replayVerdict(r, args.op.ver);
  if (r === null || entry === "open") return { table, outcome, entry };
  const now = Date.now();
  const note = entry === "replay" ? `${args.actor}: replayed from PostgreSQL at ${formatLsn(args.op.ver)}` : `${args.actor}: replayed, but a newer version (${formatLsn(r.resolvedBy)}) was already stored`;
  await ctx.db.patch(SYSTEM_TABLES.reject, doc._id as any, { resolvedAt: now, resolvedBy: r.resolvedBy, resolvedVia: entry === "replay" ? "replay" : r.resolvedVia, resolvedNote: note });
  await recordEvent(ctx, { table, at: now, kind: "dead-letter-resolved", actor: args.actor, detail: `dead letter ${args.id} resolved by ${entry === "replay" ? "a replay" : `a newer ${entry}`} (version ${formatLsn(r.resolvedBy)})` });
  return { table, outcome, entry, resolvedBy: r.resolvedBy };
}
