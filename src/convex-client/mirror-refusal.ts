// The bridge's reading of a Convex refusal to write for a mirror it does not hold (mirror-identity.ts).
// Both are permanent: retrying cannot bring back lost state, and writing into another mirror is never right.
import { Pg2ConvexError } from "../errors";
import { REBUILD_FIX } from "../errors/recovery";
import type { LeaderErrorData, MirrorErrorData } from "../mirror-functions/wire/protocol";

export function mirrorRefusal(data: MirrorErrorData, context: Record<string, unknown>, cause: unknown): Pg2ConvexError {
  const ctx = { ...context, slot: data.slot, mirrorId: data.expected, ...(data.found === null ? {} : { foundMirrorId: data.found }) };
  if (data.pg2c === "MIRROR_STATE_LOST") {
    return new Pg2ConvexError("MIRROR_STATE_LOST", `Convex holds no mirror state for slot ${data.slot} any more (the deployment lost its data, was reset, or is not this mirror's deployment); nothing was written and streaming stopped`, {
      context: ctx,
      cause,
      fix: `check CONVEX_URL, then ${REBUILD_FIX}`,
    });
  }
  return new Pg2ConvexError("MIRROR_MISMATCH", `Convex holds another mirror for slot ${data.slot} (mirror ${data.found ?? "without an identity"}, this bridge streams mirror ${data.expected}); nothing was written`, {
    context: ctx,
    cause,
    fix: `point CONVEX_URL at this mirror's deployment, or ${REBUILD_FIX}`,
  });
}

/** A write from an older leadership epoch (mirror-functions/apply/leader-epoch.ts): permanent for this leadership. */
export function leaderFenced(data: LeaderErrorData, context: Record<string, unknown>, cause: unknown): Pg2ConvexError {
  return new Pg2ConvexError("LEADER_FENCED", `Convex refused a write from leadership epoch ${data.epoch ?? "(none)"} of slot ${data.slot}: it is led at epoch ${data.current} by ${data.holder}; nothing was written`, {
    context: { ...context, slot: data.slot, epoch: data.epoch, currentEpoch: data.current, leader: data.holder },
    cause,
    fix: "nothing to do when a standby took over: this process returns to standby",
  });
}
