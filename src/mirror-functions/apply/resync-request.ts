// The requestResync mutation: records that a table must be copied again while streaming (resync-rules.ts).
// The running bridge polls the checkpoint and picks the request up; nothing is copied here.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import type { MirrorConfig } from "../config";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { requestResync } from "./resync-rules";
import type { ResyncProgress } from "../wire/protocol";

export async function requestResyncHandler(config: MirrorConfig, ctx: GenericMutationCtx<GenericDataModel>, args: { slot: string; table: string; id: string }): Promise<ResyncProgress> {
  // Throws UNKNOWN_TABLE for a table this deployment does not mirror: deploy the functions first.
  const table = config.table(args.table).def.name;
  const stored = await loadCheckpoint(ctx.db, args.slot);
  const { list, entry } = requestResync(stored.fields.resync ?? [], table, args.id, Date.now());
  if (entry.id === args.id) await saveCheckpoint(ctx.db, stored, { ...stored.fields, resync: list });
  return entry;
}
