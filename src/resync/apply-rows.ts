// Writes one step of a re-sync through the sink: the changes at one version, planned like any transaction
// (plan/), and the re-sync's progress in the same mutation as the step's last batch — so the cursor is durable
// exactly when the rows before it are (a crash resumes after the last durable chunk).
import type { TableGraph } from "../definitions/graph";
import type { RowChange } from "../model/changes";
import type { Lsn } from "../model/lsn";
import type { ResyncProgress } from "../mirror-functions/wire/protocol";
import type { Sink } from "../sink";
import { createBatcher } from "../plan";

export async function applyAtVersion(deps: { sink: Sink; graph: TableGraph; maxBatchOps?: number | undefined }, version: Lsn, changes: RowChange[], progress: ResyncProgress): Promise<void> {
  const batcher = createBatcher(deps.graph, deps.maxBatchOps ? { maxOps: deps.maxBatchOps } : {});
  const batches = [...batcher.add({ xid: 0, commitLsn: version, endLsn: version, commitTime: new Date(), changes }), ...batcher.flush()];
  if (batches.length === 0) batches.push({ id: `resync-${progress.id}-${progress.rows}-${Date.now()}`, ops: [], txCount: 0, rowCount: 0 });
  for (const [i, b] of batches.entries()) {
    // Re-sync batches never move the stream checkpoint: the stream owns it.
    const { checkpoint: _unused, ...batch } = b;
    await deps.sink.apply(batch, undefined, i === batches.length - 1 ? progress : undefined);
  }
}
