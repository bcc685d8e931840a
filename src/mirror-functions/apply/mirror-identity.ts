// Which mirror a deployment holds. The identity lives in the slot's checkpoint document, so it is read for
// free by every call that loads the checkpoint and disappears with it (resetMirror, a deployment that lost
// its data). Invariants:
//  - an identity is written once (claimMirror) and never replaced: a claim for another mirror id is refused;
//  - a writing call that names a mirror id is refused, atomically and before it writes anything, unless the
//    checkpoint document exists and records exactly that id. So a retried batch reaching a deployment that
//    restarted empty cannot recreate a "streaming" checkpoint over missing rows.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import { ConvexError } from "convex/values";
import { toMirrorState } from "./checkpoint-rules";
import { loadCheckpoint, saveCheckpoint, type StoredCheckpoint } from "./checkpoint";
import { assertEpoch } from "./leader-epoch";
import type { MirrorErrorData, MirrorIdentity, MirrorState } from "../wire/protocol";

/** Throws a MirrorErrorData ConvexError unless `stored` belongs to mirror `mirrorId` (undefined: unchecked). */
export function assertMirror(stored: StoredCheckpoint, slot: string, mirrorId: string | undefined): void {
  if (mirrorId === undefined) return;
  const found = stored.id ? (stored.fields.mirror?.mirrorId ?? null) : null;
  if (found === mirrorId) return;
  if (!stored.id) throw mirrorError({ pg2c: "MIRROR_STATE_LOST", slot, expected: mirrorId, found: null }, `this deployment holds no mirror state for slot ${slot}`);
  throw mirrorError({ pg2c: "MIRROR_MISMATCH", slot, expected: mirrorId, found }, `this deployment holds mirror ${found ?? "(no identity)"} for slot ${slot}, not ${mirrorId}`);
}

/**
 * Records `mirror` as the slot's identity unless one is recorded; refuses another mirror's claim.
 * `continuing`: the bridge read a checkpoint it will stream on from (a mirror made before identities), so the
 * document must still exist — a deployment that lost it between the read and the claim must not become a
 * "new" mirror that then takes the stream. Otherwise the bridge read a new mirror and will backfill it.
 */
export async function claimMirrorHandler(ctx: GenericMutationCtx<GenericDataModel>, args: { slot: string; mirror: MirrorIdentity; continuing: boolean; epoch?: number }): Promise<MirrorState> {
  const stored = await loadCheckpoint(ctx.db, args.slot);
  assertEpoch(stored, args.slot, args.epoch);
  const current = stored.id ? stored.fields.mirror : undefined;
  const refuse = (pg2c: MirrorErrorData["pg2c"], found: string | null, message: string) => mirrorError({ pg2c, slot: args.slot, expected: args.mirror.mirrorId, found }, message);
  if (current) {
    if (current.mirrorId !== args.mirror.mirrorId) throw refuse("MIRROR_MISMATCH", current.mirrorId, `slot ${args.slot} already belongs to mirror ${current.mirrorId}`);
    return toMirrorState(stored.fields, args.slot);
  }
  if (args.continuing && !stored.id) throw refuse("MIRROR_STATE_LOST", null, `this deployment holds no mirror state for slot ${args.slot}`);
  if (!args.continuing && stored.id && stored.fields.phase !== "new") throw refuse("MIRROR_MISMATCH", null, `slot ${args.slot} holds a mirror (phase ${stored.fields.phase}) this bridge did not see`);
  const next = { ...stored.fields, mirror: { ...args.mirror, slot: args.slot }, updatedAt: Date.now() };
  await saveCheckpoint(ctx.db, stored, next);
  return toMirrorState(next, args.slot);
}

function mirrorError(data: MirrorErrorData, message: string): ConvexError<Record<string, string | null>> {
  const err = new ConvexError({ ...data });
  err.message = `pg2convex ${data.pg2c}: ${message}`;
  return err;
}

export function isMirrorErrorData(data: unknown): data is MirrorErrorData {
  const d = data as Partial<MirrorErrorData> | null;
  return typeof d === "object" && d !== null && (d.pg2c === "MIRROR_STATE_LOST" || d.pg2c === "MIRROR_MISMATCH") && typeof d.slot === "string" && typeof d.expected === "string";
}
