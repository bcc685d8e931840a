// Row counts, lag-aware. A round: L1 = insert LSN; count in PostgreSQL (a snapshot after L1); L2 = insert
// LSN; wait until the mirror passed L2; count in Convex; ask Convex whether the table changed after L1.
// Equal counts settle it. The mirror behind L2, or any Convex change to the table after L1, makes the round
// inconclusive (the two counts may be of different moments). Otherwise both counts are of the table as of
// L1 and a difference is conclusive; two conclusive rounds in a row make it drift. Counts that never settle
// are reported as in flight: the table is being written to faster than the rounds.
import type { ConvexParity } from "./convex-side";
import { insertLsn, waitForMirror } from "./lag";
import type { PgTable } from "./pg-side";
import { sleep, type RecheckOptions } from "./recheck";
import type { TableReport } from "./report";

export async function settleCounts(first: { postgres: number; convex: number }, live: PgTable, convex: ConvexParity, opts: RecheckOptions): Promise<TableReport["counts"]> {
  if (first.postgres === first.convex) return { ...first, status: "equal" };
  let last = first;
  let streak = 0;
  for (let round = 0; round < opts.rounds; round++) {
    await sleep(opts.delayMs);
    const l1 = await insertLsn(live.client);
    const postgres = await live.count();
    const l2 = await insertLsn(live.client);
    const progress = await waitForMirror(live.client, convex, opts.slot, l2, opts.waitMs);
    const convexCount = await convex.count(live.def.convexName);
    last = { postgres, convex: convexCount };
    if (postgres === convexCount) return { ...last, status: "equal" };
    const conclusive = progress.reached && !(await convex.changed(live.def.convexName, l1));
    streak = conclusive ? streak + 1 : 0;
    if (streak >= Math.min(2, opts.rounds)) return { ...last, status: "drift" };
    // A stopped bridge never catches up: one more round cannot change the answer.
    if (!progress.streaming && !progress.reached) return { ...last, status: "drift" };
  }
  return { ...last, status: "in-flight" };
}
