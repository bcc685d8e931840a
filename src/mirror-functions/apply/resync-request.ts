// The requestResync mutation: records that a table must be copied again while streaming (resync-rules.ts).
// The running bridge polls the checkpoint and picks the request up; nothing is copied here.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import type { MirrorConfig } from "../config";
import { Pg2ConvexError } from "../../errors";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { requestResync } from "./resync-rules";
import type { ResyncProgress } from "../wire/protocol";

export async function requestResyncHandler(config: MirrorConfig, ctx: GenericMutationCtx<GenericDataModel>, args: { slot: string; table: string; id: string }): Promise<ResyncProgress> {
  // Throws UNKNOWN_TABLE for a table this deployment does not mirror: deploy the functions first.
  const table = config.table(args.table).def.name;
  const stored = await loadCheckpoint(ctx.db, args.slot);
  // Before streaming, the (first or resumed) backfill copies every table anyway; a request would only be
  // a second copy, and must not create a checkpoint document for a mirror that does not exist yet.
  if (!stored.id || stored.fields.phase !== "stream") {
    throw new Pg2ConvexError("CONFIG_INVALID", `nothing to re-sync: the mirror of slot ${args.slot} is not streaming yet (phase ${stored.fields.phase}); \`pg2convex run\` backfills every table first`);
  }
  const { list, entry } = requestResync(stored.fields.resync ?? [], table, args.id, Date.now());
  if (entry.id === args.id) await saveCheckpoint(ctx.db, stored, { ...stored.fields, resync: list });
  return entry;
}
