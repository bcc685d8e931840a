// The bridge's view of pg2c_reject: which rejects are open, so that each batch that writes one of their keys
// is followed by a settle of exactly those (mirror-functions/apply/rejects.ts decides, from stored versions), and
// so that pg2convex_rejects_unresolved (and with it /healthz) is the number of open rejects in Convex.
// Invariants:
//  - after settleAll() the tracked set is every open reject in Convex; afterBatch() adds the batch's new
//    rejects and removes the ones its settle resolved, so the set stays equal while this bridge is the only
//    writer; settleAll() runs at start and after a backfill, and recounts from Convex;
//  - settling is bookkeeping: a failure to settle is logged and the rejects stay open until the next settle
//    (nothing about the mirrored rows depends on it);
//  - entries can also be resolved by other processes (`pg2convex dlq replay|resolve`), so the bridge recounts
//    from Convex every RECOUNT_MS (startRecount); settleAll and afterBatch run one at a time (`serial`), so a
//    recount never interleaves with a batch's bookkeeping;
//  - pg2convex_dead_letters{table} is the same set per table (every mirrored table listed, 0 when none).
import type { Logger } from "../log";
import type { ApplyBatchResult, RejectNotice } from "../mirror-functions/wire/protocol";
import type { ResolvedReject } from "../mirror-functions/apply/rejects";
import type { Metrics } from "../observability/metrics";
import type { Batch } from "../plan";
import type { Sink } from "../sink";
import type { TableGraph } from "../definitions/graph";
import { formatKey, keyString, rowId, rowIdOfString } from "../model/key";
import { formatLsn } from "../model/lsn";

export interface RejectTracker {
  /** Settles and recounts every open reject in Convex. */
  settleAll(): Promise<void>;
  /** Reports the rejects `batch` recorded, then settles the open ones its upserts, deletes and truncates may supersede. */
  afterBatch(batch: Batch, result: ApplyBatchResult): Promise<void>;
  /** Open rejects as of the last batch or settle. */
  readonly open: number;
  /** Recounts (settleAll) every `ms` until the returned stop is called. */
  startRecount(ms?: number): () => void;
}

interface Open {
  table: string;
  key: string;
  ver: bigint;
}

/** How often a running bridge recounts the open rejects in Convex (entries resolved by the CLI). */
export const RECOUNT_MS = 15_000;

/** Ids per settleRejects call (the mutation checks at most this many). */
const IDS_PER_CALL = 200;

export function createRejectTracker(deps: { sink: Sink; graph: TableGraph; logger: Logger; metrics?: Metrics }): RejectTracker {
  const { sink, graph, logger, metrics } = deps;
  const open = new Map<string, Open>();
  const byKey = new Map<string, Set<string>>();
  let lastWarned = 0;

  const add = (r: RejectNotice) => {
    const o = { table: r.table, key: keyString(r.key), ver: r.ver };
    open.set(r.id, o);
    const id = rowIdOfString(o.table, o.key);
    byKey.set(id, (byKey.get(id) ?? new Set()).add(r.id));
  };
  const remove = (id: string) => {
    const o = open.get(id);
    if (!o) return;
    open.delete(id);
    byKey.get(rowIdOfString(o.table, o.key))?.delete(id);
  };
  const resolved = (list: readonly ResolvedReject[]) => {
    for (const r of list) {
      remove(r.id);
      logger.info({ table: r.table, key: formatKey(r.key), lsn: formatLsn(r.ver), code: r.code, resolvedBy: formatLsn(r.resolvedBy), via: r.resolvedVia }, "reject resolved by a newer version of its row");
    }
  };
  const publish = () => {
    metrics?.rejectsUnresolved.set(open.size);
    const perTable = new Map<string, number>(graph.order.map((t) => [t.name, 0]));
    for (const o of open.values()) perTable.set(o.table, (perTable.get(o.table) ?? 0) + 1);
    metrics?.deadLetters.reset();
    for (const [table, n] of perTable) metrics?.deadLetters.set({ table }, n);
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  };

  const settle = async (ids: string[]) => {
    if (!sink.settleRejects) return;
    try {
      for (let i = 0; i < ids.length; i += IDS_PER_CALL) resolved((await sink.settleRejects({ ids: ids.slice(i, i + IDS_PER_CALL) })).resolved);
    } catch (e) {
      logger.warn({ err: { message: (e as Error).message }, rejects: ids.length }, "could not settle rejects; they stay open until the next settle");
    }
  };

  /** Open rejects whose row an op of `batch` wrote at a newer version. */
  const candidates = (batch: Batch): string[] => {
    const out = new Set<string>();
    for (const op of batch.ops) {
      if (op.o === "upsert" || op.o === "delete") {
        const table = graph.byConvexName(op.t)?.name ?? op.t;
        for (const id of byKey.get(rowId(table, op.k)) ?? []) if (op.ver > open.get(id)!.ver) out.add(id);
      } else if (op.o === "truncate") {
        const tables = new Set(op.ts.map((t) => graph.byConvexName(t)?.name ?? t));
        for (const [id, o] of open) if (tables.has(o.table) && op.ver > o.ver) out.add(id);
      }
    }
    return [...out];
  };

  return {
    get open() {
      return open.size;
    },
    settleAll: () => serial(settleAll),
    afterBatch: (batch, result) => serial(() => afterBatch(batch, result)),
    startRecount(ms = RECOUNT_MS) {
      const timer = setInterval(() => {
        serial(settleAll).catch((e: unknown) => logger.warn({ err: { message: (e as Error).message } }, "could not recount the open rejects; trying again later"));
      }, ms);
      timer.unref();
      return () => clearInterval(timer);
    },
  };

  async function settleAll(): Promise<void> {
    if (!sink.settleRejects) return;
    // Counted afresh and swapped in at the end: a recount cut short by an outage leaves the last count standing.
    const found: RejectNotice[] = [];
    for (let cursor: string | null = null; ;) {
      const page = await sink.settleRejects({ cursor });
      resolved(page.resolved);
      found.push(...page.open);
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
    open.clear();
    byKey.clear();
    for (const r of found) add(r);
    publish();
    const before = lastWarned;
    lastWarned = open.size;
    if (open.size > 0 && open.size !== before) logger.warn({ unresolved: open.size }, "unresolved rejects in Convex: rows the mirror does not hold as PostgreSQL has them (pg2convex status lists them)");
  }

  async function afterBatch(batch: Batch, result: ApplyBatchResult): Promise<void> {
    for (const r of result.rejects ?? []) add(r);
    if (open.size > 0) {
      const ids = candidates(batch);
      if (ids.length > 0) await settle(ids);
    }
    publish();
  }
}
