// TRUNCATE at version `ver`: every row older than `ver` goes, and stays gone (upserts and deletes
// below truncatedAt are ignored from now on). Rows at `ver` itself were written by the truncating
// transaction after the TRUNCATE and stay, which also makes the op commute with that transaction's
// row ops. Rows are removed through removeRow, so parents' count/sum and children's links stay right.
// An `inclusive` truncate (inside a transaction streamed in parts) also removes rows at `ver`: earlier parts
// wrote them before the TRUNCATE; the rows written after it come later in op order (src/assemble/parts.ts).
//
// The work is unbounded, so it is self-limiting: before each row it checks the mutation's usage and,
// when the budget is spent, stops with "incomplete". Everything done so far commits; applyBatch records
// where to resume and the bridge sends the same batch again (re-running this op is idempotent).
import type { TableDef } from "../../definitions/types";
import type { MirrorTx } from "./mirror-tx";
import type { Op } from "../wire/protocol";
import { removeRow, type Outcome } from "./row-ops";
import { rowRemovalCost } from "./cost";

type TruncateOp = Extract<Op, { o: "truncate" }>;

/** Rows fetched per index range: big enough to amortise the query, small enough to waste little. */
const CHUNK = 64;

export async function applyTruncate(tx: MirrorTx, op: TruncateOp): Promise<Outcome | "incomplete"> {
  const infos = op.ts.map((t) => tx.config.table(t));
  let changed = false;
  for (const { def } of infos) changed = (await tx.system.raiseTruncatedAt(def.name, op.ver)) || changed;
  // Children first: their removal adjusts parents that may be about to go too, which is wasted work
  // but keeps the invariant simple (no row is ever removed without its deltas).
  const rank = (d: TableDef) => tx.config.graph.rank.get(d.name) ?? 0;
  for (const info of [...infos].sort((a, b) => rank(b.def) - rank(a.def))) {
    const perRow = rowRemovalCost(info);
    for (;;) {
      if (!tx.usage.fits(perRow, tx.rows.pendingWrites)) return "incomplete";
      const rows = await tx.rows.olderThan(info.def, op.inclusive ? op.ver + 1n : op.ver, CHUNK);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (!tx.usage.fits(perRow, tx.rows.pendingWrites)) return "incomplete";
        await removeRow(tx, info, row);
        changed = true;
      }
    }
    // Tombstones older than the truncate can never decide anything again (truncatedAt does).
    for (;;) {
      if (!tx.usage.fits({ queries: 1, writes: CHUNK }, tx.rows.pendingWrites)) return "incomplete";
      const tombs = await tx.system.olderTombstones(info.def.name, op.ver, CHUNK);
      if (tombs.length === 0) break;
      for (const t of tombs) await tx.system.dropTombstone(t);
    }
  }
  return changed ? "applied" : "skipped";
}
