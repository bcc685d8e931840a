// A sink that discards batches: measures the pipeline without Convex (bench) and backs dry runs.
import type { MirrorState } from "../mirror-functions/wire/protocol";
import type { Position } from "../checkpoint";
import type { Sink } from "./sink";

/** With `position`, the mirror counts as already streaming from there (no backfill). */
export function createNullSink(opts: { slot?: string; position?: Position } = {}): Sink & { readonly applied: { batches: number; ops: number } } {
  const applied = { batches: 0, ops: 0 };
  const state: MirrorState = {
    slot: opts.slot ?? "null",
    commitLsn: opts.position?.commitLsn ?? null,
    endLsn: opts.position?.endLsn ?? null,
    phase: opts.position ? "stream" : "new",
    snapshotLsn: null,
    backfill: [],
    updatedAt: null,
    mirror: null,
  };
  return {
    applied,
    async apply(batch) {
      applied.batches += 1;
      applied.ops += batch.ops.length;
      if (batch.checkpoint) Object.assign(state, { commitLsn: batch.checkpoint.commitLsn, endLsn: batch.checkpoint.endLsn });
      return { applied: batch.ops.length, skipped: 0, rejected: 0, complete: true };
    },
    state: async () => ({ ...state }),
    claimMirror: async (mirror, _continuing) => {
      state.mirror ??= mirror;
    },
    beginBackfill: async () => undefined,
    finishBackfill: async (p) => {
      Object.assign(state, { commitLsn: p.commitLsn, endLsn: p.endLsn, phase: "stream" });
    },
  };
}
