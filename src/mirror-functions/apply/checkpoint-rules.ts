// How a slot's checkpoint document evolves, as pure functions (checkpoint.ts reads and writes it).
// Invariants: commitLsn/endLsn only move forward; backfill progress of a table only moves forward
// (more rows, or done); nothing moves when a batch was cut short (complete=false) — then only the
// resume point is recorded. Phase: "new" → "backfill" (beginBackfill or a backfill batch) →
// "stream" (finishBackfill, or a checkpoint once every recorded backfill table is done).
import type { Infer } from "convex/values";
import type { backfillProgressValidator, checkpointValidator, LeaderRecord, MirrorIdentity, MirrorState, ResyncProgress } from "../wire/protocol";
import { mergeResync } from "./resync-rules";

export type Progress = Infer<typeof backfillProgressValidator>;
export type Phase = MirrorState["phase"];

export interface CheckpointFields {
  slot: string;
  commitLsn?: bigint;
  endLsn?: bigint;
  phase: Phase;
  snapshotLsn?: bigint;
  backfill: Progress[];
  updatedAt: number;
  lastBatchId: string;
  resume?: { batchId: string; opIndex: number };
  /** Set once by claimMirror and carried along by every rule below (they all spread the document). */
  mirror?: MirrorIdentity;
  /** Re-sync requests and progress (resync-rules.ts). */
  resync?: ResyncProgress[];
  /** Set by claimLeadership (leader-epoch.ts) and carried along by every rule below, like `mirror`. */
  leader?: LeaderRecord;
}

export function emptyCheckpoint(slot: string): CheckpointFields {
  return { slot, phase: "new", backfill: [], updatedAt: 0, lastBatchId: "" };
}

export interface BatchEnd {
  batchId: string;
  checkpoint?: Infer<typeof checkpointValidator>;
  backfill?: { snapshotLsn: bigint; progress: Progress };
  resync?: ResyncProgress;
  /** Index of the first op not applied, when the batch was cut short. */
  resumeAt?: number;
  now: number;
}

export function afterBatch(doc: CheckpointFields, end: BatchEnd): CheckpointFields {
  const next: CheckpointFields = { ...doc, lastBatchId: end.batchId, updatedAt: end.now };
  if (end.resumeAt !== undefined) return { ...next, resume: { batchId: end.batchId, opIndex: end.resumeAt } };
  delete next.resume;
  if (end.backfill) {
    next.snapshotLsn = end.backfill.snapshotLsn;
    if (next.phase !== "stream") next.phase = "backfill";
    next.backfill = mergeProgress(next.backfill, end.backfill.progress);
  }
  if (end.resync) next.resync = mergeResync(next.resync ?? [], end.resync);
  if (end.checkpoint) Object.assign(next, advance(next, end.checkpoint, next.phase === "backfill" && next.backfill.some((p) => !p.done) ? "backfill" : "stream"));
  return next;
}

/** Moves commitLsn/endLsn (and the phase) only if `cp` is newer than what is stored. */
export function advance(doc: CheckpointFields, cp: { commitLsn: bigint; endLsn: bigint }, phase: Phase): Partial<CheckpointFields> {
  if (doc.commitLsn !== undefined && cp.commitLsn <= doc.commitLsn) return {};
  return { commitLsn: cp.commitLsn, endLsn: cp.endLsn, phase };
}

export function mergeProgress(list: readonly Progress[], p: Progress): Progress[] {
  const old = list.find((x) => x.table === p.table);
  if (!old) return [...list, p];
  const newer = !old.done && (p.done || p.rows >= old.rows);
  return newer ? list.map((x) => (x === old ? p : x)) : [...list];
}

export function beginBackfill(doc: CheckpointFields, snapshotLsn: bigint, tables: readonly string[], now: number): CheckpointFields {
  // A retry of a call already made (same snapshot) changes nothing, even after the backfill finished.
  if (doc.phase === "stream" && doc.snapshotLsn === snapshotLsn) return doc;
  const same = doc.phase === "backfill" && doc.snapshotLsn === snapshotLsn;
  const kept = same ? doc.backfill : [];
  const added = tables.filter((t) => !kept.some((p) => p.table === t)).map((table) => ({ table, after: null, done: false, rows: 0 }));
  return { ...doc, phase: "backfill", snapshotLsn, backfill: [...kept, ...added], updatedAt: now };
}

export function finishBackfill(doc: CheckpointFields, cp: { commitLsn: bigint; endLsn: bigint }, now: number): CheckpointFields {
  return { ...doc, ...advance(doc, cp, "stream"), phase: "stream", updatedAt: now };
}

export function toMirrorState(doc: CheckpointFields | null, slot: string): MirrorState {
  return {
    slot,
    commitLsn: doc?.commitLsn ?? null,
    endLsn: doc?.endLsn ?? null,
    phase: doc?.phase ?? "new",
    snapshotLsn: doc?.snapshotLsn ?? null,
    backfill: (doc?.backfill ?? []).map((p) => ({ ...p, after: p.after ?? null })),
    updatedAt: doc ? doc.updatedAt : null,
    mirror: doc?.mirror ?? null,
    resync: doc?.resync ?? [],
  };
}
