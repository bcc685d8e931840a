// Fencing of deposed leaders. Only one `pg2convex run` streams a slot (the PostgreSQL advisory lock, see
// src/leadership/), but a leader that lost its lock may not know yet and still have a batch in flight. So the
// lock alone cannot keep a late batch out; the epoch does. Invariants:
//  - claimLeadership raises the slot's epoch by one and records it in the checkpoint document; the new leader
//    calls it (after winning the lock) before it reads the state it will continue from, so every batch an older
//    leader committed before the claim is in that state, and every later one is refused;
//  - a writing call (applyBatch, beginBackfill, finishBackfill, claimMirror) that carries an epoch is refused,
//    atomically and before it writes, unless that epoch is exactly the recorded one. A call without an epoch is
//    unchecked: it comes from an in-process caller that never claimed leadership (tests, demo), never from `run`.
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import { ConvexError } from "convex/values";
import { loadCheckpoint, saveCheckpoint, type StoredCheckpoint } from "./checkpoint";
import type { LeaderErrorData } from "../wire/protocol";

/** Throws a LeaderErrorData ConvexError unless `epoch` is the slot's current one (undefined: unchecked). */
export function assertEpoch(stored: StoredCheckpoint, slot: string, epoch: number | undefined): void {
  if (epoch === undefined) return;
  const current = stored.id ? stored.fields.leader : undefined;
  if (current?.epoch === epoch) return;
  const data: LeaderErrorData = { pg2c: "LEADER_FENCED", slot, epoch, current: current?.epoch ?? 0, holder: current?.holder ?? "(none)" };
  const err = new ConvexError({ ...data });
  err.message = `pg2convex LEADER_FENCED: slot ${slot} is led at epoch ${data.current} by ${data.holder}; a write from epoch ${epoch} was refused`;
  throw err;
}

/** Makes the caller the slot's leader: the epoch one above the recorded one (the document is created if absent). */
export async function claimLeadershipHandler(ctx: GenericMutationCtx<GenericDataModel>, args: { slot: string; holder: string }): Promise<{ epoch: number; previous: string | null }> {
  const stored = await loadCheckpoint(ctx.db, args.slot);
  const before = stored.id ? stored.fields.leader : undefined;
  const epoch = (before?.epoch ?? 0) + 1;
  await saveCheckpoint(ctx.db, stored, { ...stored.fields, leader: { epoch, holder: args.holder, at: Date.now() } });
  return { epoch, previous: before?.holder ?? null };
}

export function isLeaderErrorData(data: unknown): data is LeaderErrorData {
  const d = data as Partial<LeaderErrorData> | null;
  return typeof d === "object" && d !== null && d.pg2c === "LEADER_FENCED" && typeof d.slot === "string" && typeof d.current === "number";
}
