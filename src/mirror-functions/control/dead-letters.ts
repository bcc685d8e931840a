// The dead-letter queue is pg2c_reject (apply/rejects.ts): a row the mirror does not hold as PostgreSQL has
// it. Entries resolve by themselves when a newer version of their row is stored; an operator can also
// resolve one by hand (accepting the difference), which is recorded with who and why and never touches the row.
import type { GenericDataModel, GenericMutationCtx, GenericQueryCtx } from "convex/server";
import { ConvexError } from "convex/values";
import { getReject } from "../apply/rejects";
import { SYSTEM_TABLES } from "../names";
import { recordEvent } from "./store";

type QueryCtx = GenericQueryCtx<GenericDataModel>;
type MutationCtx = GenericMutationCtx<GenericDataModel>;

export async function deadLetterHandler(ctx: QueryCtx, args: { id: string }) {
  return await getReject(ctx, args.id);
}

export async function resolveDeadLetterHandler(ctx: MutationCtx, args: { id: string; actor: string; reason: string }): Promise<{ table: string; alreadyResolved: boolean }> {
  const doc = (await getReject(ctx, args.id)) as { _id: any; table: string; resolvedAt?: number } | null;
  if (!doc) throw new ConvexError({ pg2convex: "DEAD_LETTER_UNKNOWN", message: `no dead letter with id ${args.id}` });
  if (doc.resolvedAt !== undefined) return { table: doc.table, alreadyResolved: true };
  const now = Date.now();
  await ctx.db.patch(SYSTEM_TABLES.reject, doc._id, { resolvedAt: now, resolvedVia: "manual", resolvedNote: `${args.actor}: ${args.reason}` });
  await recordEvent(ctx, { table: doc.table, at: now, kind: "dead-letter-resolved", actor: args.actor, detail: `dead letter ${args.id} resolved by hand: ${args.reason}` });
  return { table: doc.table, alreadyResolved: false };
}
