// Packs whole transactions into batches that fit one Convex mutation, splitting only oversized transactions.
import { randomUUID } from "node:crypto";
import type { Op } from "../mirror-functions/wire/protocol";
import { CONVEX_LIMITS } from "../mirror-functions/wire/protocol";
import { planOpCosts } from "../mirror-functions/apply/plan-cost";
import { isLeadingPart, type AssembledUnit, type SourceTransaction } from "../model/changes";
import type { TableGraph } from "../definitions/graph";
import type { Batch, Batcher } from "./batch";
import { planOps, StreamedTx } from "./collapse";
import { guardStorable } from "./storable";

export interface BatcherOptions {
  /** Budget per mutation; defaults to Convex's limits times their headroom. */
  maxQueries?: number;
  maxWrites?: number;
  maxBytes?: number;
  /** Upper bound on ops per batch (Convex arrays hold at most 8,192 items). */
  maxOps?: number;
}

interface Budget {
  queries: number;
  writes: number;
  bytes: number;
  ops: number;
}

interface Planned {
  tx: SourceTransaction;
  ops: Op[];
  cost: Budget;
  /** Cost of each op, in order (reused when the transaction is split). */
  opCosts: Budget[];
}

export function createBatcher(graph: TableGraph, opts: BatcherOptions = {}): Batcher {
  const h = CONVEX_LIMITS.headroom;
  const limit: Budget = {
    queries: opts.maxQueries ?? Math.floor(CONVEX_LIMITS.databaseQueries * h),
    writes: opts.maxWrites ?? Math.floor(CONVEX_LIMITS.documentsWritten * h),
    // Each row is sent as an argument, read old and written new, so 1.25 MiB of arguments keeps all three far inside
    // Convex's 16 MiB. It also bounds execution time for wide rows, which the writes and index-range budgets do
    // not: 4,000-row story batches (~2 MiB) took 0.7-1.1 s in the local stand-in (bench), against Convex's 1 s per
    // function; at 1.25 MiB they hold at most ~2,600 rows (two 1,000-row transactions: 0.3-0.6 s). Narrow rows stay
    // bounded by writes (6,000 rows are ~0.6 MiB).
    bytes: opts.maxBytes ?? 1.25 * 1024 * 1024,
    ops: Math.min(opts.maxOps ?? CONVEX_LIMITS.arrayItems, CONVEX_LIMITS.arrayItems),
  };
  // Planned transactions waiting to be batched; their summed cost bounds the collapsed batch's cost.
  let pending: Planned[] = [];
  let pendingCost = zero();

  // The streamed transaction whose parts are arriving (src/assemble/parts.ts), if any.
  let streamed: { commitLsn: bigint; state: StreamedTx } | null = null;

  const plan = (txs: ReadonlyArray<Pick<SourceTransaction, "commitLsn" | "changes">>, state?: StreamedTx): { ops: Op[]; opCosts: Budget[] } => {
    const ops: Op[] = [];
    const sizes: number[] = [];
    for (const planned of planOps(graph, txs, state)) {
      const { op, bytes } = guardStorable(planned);
      ops.push(op);
      sizes.push(bytes);
    }
    // The apply reads keys by ranges: each op carries its share of the plan's ranges (plan-cost.ts).
    const opCosts = planOpCosts(graph, ops).map((c, i): Budget => ({ queries: c.queries, writes: c.writes, bytes: sizes[i]!, ops: 1 }));
    return { ops, opCosts };
  };

  const close = (): Batch[] => {
    if (pending.length === 0) return [];
    const txs = pending.map((p) => p.tx);
    // Collapsing across transactions needs a fresh plan; a lone transaction's plan is already final.
    const ops = pending.length === 1 ? pending[0]!.ops : plan(txs).ops;
    pending = [];
    pendingCost = zero();
    const last = txs[txs.length - 1]!;
    return [
      {
        id: randomUUID(),
        ops,
        checkpoint: { commitLsn: last.commitLsn, endLsn: last.endLsn },
        txCount: txs.length,
        rowCount: ops.length,
        lastCommitTime: last.commitTime,
        commitTimes: txs.map((t) => t.commitTime),
      },
    ];
  };

  /** `final`: the transaction ends with these ops (a streamed transaction's leading part does not). */
  const split = (p: Planned, final = true): Batch[] => {
    const parts: Op[][] = [];
    let cur: Op[] = [];
    let curCost = zero();
    for (const [i, op] of p.ops.entries()) {
      const c = p.opCosts[i]!;
      if (cur.length > 0 && !fits(sum(curCost, c), limit)) {
        parts.push(cur);
        cur = [];
        curCost = zero();
      }
      cur.push(op);
      add(curCost, c);
    }
    if (cur.length > 0) parts.push(cur);
    return parts.map((ops, index) => {
      const last = final && index === parts.length - 1;
      return {
        id: randomUUID(),
        ops,
        // Only the last part makes the transaction durable: a crash between parts replays the whole transaction.
        ...(last ? { checkpoint: { commitLsn: p.tx.commitLsn, endLsn: p.tx.endLsn } } : {}),
        txCount: last ? 1 : 0,
        rowCount: ops.length,
        lastCommitTime: p.tx.commitTime,
        ...(last ? { commitTimes: [p.tx.commitTime] } : {}),
        part: { index, count: parts.length },
      };
    });
  };

  /** One part of a streamed transaction: planned alone, after everything pending (WAL order). */
  const addPart = (unit: AssembledUnit): Batch[] => {
    const out = close();
    if (!streamed || streamed.commitLsn !== unit.commitLsn) streamed = { commitLsn: unit.commitLsn, state: new StreamedTx() };
    const { ops, opCosts } = plan([unit], streamed.state);
    const cost = zero();
    for (const c of opCosts) add(cost, c);
    const final = !isLeadingPart(unit);
    const stream = { commitLsn: unit.commitLsn, part: unit.part ?? 0 };
    if (final) streamed = null;
    const tx = { ...unit, endLsn: final ? unit.endLsn : unit.commitLsn };
    const batches = ops.length === 0 ? [] : split({ tx, ops, cost, opCosts }, final);
    // A last part that collapsed to nothing still has to carry the transaction's checkpoint.
    if (final && batches.length === 0) batches.push({ id: randomUUID(), ops: [], checkpoint: { commitLsn: unit.commitLsn, endLsn: unit.endLsn }, txCount: 1, rowCount: 0, lastCommitTime: unit.commitTime, commitTimes: [unit.commitTime] });
    for (const b of batches) out.push({ ...b, stream });
    return out;
  };

  return {
    add(tx) {
      if (isLeadingPart(tx) || tx.part !== undefined) return addPart(tx);
      const { ops, opCosts } = plan([tx]);
      const cost = zero();
      for (const c of opCosts) add(cost, c);
      const planned: Planned = { tx, ops, cost, opCosts };
      const out: Batch[] = [];
      if (!fits(sum(pendingCost, planned.cost), limit)) out.push(...close());
      if (!fits(planned.cost, limit)) {
        out.push(...split(planned));
        return out;
      }
      pending.push(planned);
      add(pendingCost, planned.cost);
      return out;
    },
    flush: close,
    pendingTransactions: () => pending.length,
  };
}

const zero = (): Budget => ({ queries: 0, writes: 0, bytes: 0, ops: 0 });
const sum = (a: Budget, b: Budget): Budget => ({ queries: a.queries + b.queries, writes: a.writes + b.writes, bytes: a.bytes + b.bytes, ops: a.ops + b.ops });
function add(into: Budget, c: Budget): void {
  into.queries += c.queries;
  into.writes += c.writes;
  into.bytes += c.bytes;
  into.ops += c.ops;
}
const fits = (c: Budget, l: Budget) => c.queries <= l.queries && c.writes <= l.writes && c.bytes <= l.bytes && c.ops <= l.ops;
