// How a slot's re-sync records evolve, as pure functions (checkpoint-rules.ts stores them in the checkpoint).
// Invariants:
//  - one record per table; a request never replaces a re-sync that is not done (asking twice is harmless), a
//    request after a finished one starts a new id;
//  - progress only moves forward, and only for the request it names: requested → copying → sweep → done, more
//    rows within a phase. A worker still running an older request (or a replayed batch) cannot move a newer one;
//  - the low watermark recorded first stays: the sweep's bound must be the first chunk's low watermark.
import type { ResyncProgress } from "../wire/protocol";

const RANK: Record<ResyncProgress["phase"], number> = { requested: 0, copying: 1, sweep: 2, done: 3 };

export function requestResync(list: readonly ResyncProgress[], table: string, id: string, now: number): { list: ResyncProgress[]; entry: ResyncProgress } {
  const old = list.find((r) => r.table === table);
  if (old && old.phase !== "done") return { list: [...list], entry: old };
  const entry: ResyncProgress = { table, id, phase: "requested", lowLsn: null, after: null, rows: 0, requestedAt: now, updatedAt: now };
  return { list: [...list.filter((r) => r.table !== table), entry], entry };
}

export function mergeResync(list: readonly ResyncProgress[], p: ResyncProgress): ResyncProgress[] {
  const old = list.find((r) => r.table === p.table);
  if (!old || old.id !== p.id) return [...list];
  const forward = RANK[p.phase] > RANK[old.phase] || (p.phase === old.phase && p.rows >= old.rows);
  if (!forward) return [...list];
  const merged = { ...p, lowLsn: old.lowLsn ?? p.lowLsn, requestedAt: old.requestedAt };
  return list.map((r) => (r === old ? merged : r));
}
