// Re-syncs tables while the stream runs (`pg2convex resync --table T`, and tables added to the definitions
// after streaming began). Invariants (the chunk window's are in window.ts, the copy's in copy.ts):
//  - requests live in Convex (the checkpoint's `resync` list): the CLI records one, the running bridge polls
//    and picks it up; one table at a time, in request order; other tables keep streaming meanwhile;
//  - the stream hands every transaction to observe() inside its serial queue, before planning it, so windows
//    see transactions in commit order, and a chunk is written at its high watermark's position in the stream;
//  - watermarks name the request id and a random tag of this worker run: watermarks replayed after a restart
//    match no armed window;
//  - a failed step (PostgreSQL or Convex unavailable) is logged and retried from the durable progress at the
//    next poll; a failure inside observe() is a failed stream batch and stops the stream like any other.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import { connectPg, emitWatermark, type ChunkRead } from "../postgres";
import type { Lsn } from "../model/lsn";
import type { ObservedTx } from "../model/changes";
import { ChunkWindow, changedKeys } from "./window";
import { WATERMARK_PREFIX, watermarkContent, type WatermarkId } from "./watermark";
import type { OnHigh, ResyncDeps, Resyncer, RunWindow } from "./types";
import { copyChunks } from "./copy";
import { sweepStale } from "./sweep";
import { requestResync } from "./request";

interface Active {
  win: ChunkWindow;
  chunk: ChunkRead | null;
  onHigh: OnHigh;
  settle: { resolve: () => void; reject: (e: unknown) => void };
}

export type { ResyncDeps, Resyncer } from "./types";

export function createResyncer(deps: ResyncDeps): Resyncer {
  const { logger, graph } = deps;
  const pollMs = deps.pollMs ?? 1000;
  let active: Active | null = null;
  // While a table is re-synced: xid → commit LSN of recent transactions that changed it (window.ts: a chunk
  // whose snapshot could not see one that committed before its low watermark is read again).
  let current: string | null = null;
  const recent = new Map<number, Lsn>();
  let stopped = false;
  let wake: () => void = () => undefined;
  let stopSignal: (e: unknown) => void = () => undefined;
  const stopping = new Promise<never>((_, reject) => (stopSignal = reject));
  stopping.catch(() => undefined);
  let pgClient: pg.Client | null = null;
  let loop: Promise<void> = Promise.resolve();

  const sleep = (ms: number) => new Promise<void>((r) => ((wake = r), setTimeout(r, ms).unref()));
  const session = async () => (pgClient ??= await connectPg(deps.config.databaseUrl, { onLost: () => void (pgClient = null) }));

  const runWindow: RunWindow = async (table, chunk, read, onHigh) => {
    const id: WatermarkId = { resync: `${table}/${randomUUID()}`, chunk };
    const done = new Promise<void>((resolve, reject) => (active = { win: new ChunkWindow(id, table), chunk: null, onHigh, settle: { resolve, reject } }));
    done.catch(() => undefined);
    try {
      const client = await session();
      await emitWatermark(client, WATERMARK_PREFIX, watermarkContent({ ...id, edge: "low" }));
      const read_ = read ? await read() : null;
      if (active) active.chunk = read_;
      await emitWatermark(client, WATERMARK_PREFIX, watermarkContent({ ...id, edge: "high" }));
      await Promise.race([done, stopping]);
    } finally {
      active = null;
    }
  };

  const step = async () => {
    const state = await deps.sink.state();
    const todo = (state.resync ?? []).find((r) => r.phase !== "done" && graph.byName(r.table));
    if (!todo) return false;
    const table = graph.byName(todo.table)!;
    const ctx = { ...deps, table, runWindow, session, isStopped: () => stopped, stopping, recent };
    if (current !== table.name) recent.clear();
    current = table.name;
    let progress = todo;
    if (progress.phase === "requested" || progress.phase === "copying") progress = await copyChunks(ctx, progress);
    if (progress.phase === "sweep" && (await sweepStale(ctx, progress))) await deps.onFinished?.(table.name);
    return true;
  };

  return {
    async observe(tx) {
      if (current) rememberXid(recent, current, tx);
      const a = active;
      if (!a) return;
      const ev = a.win.observe(tx);
      if (ev.kind !== "high") return;
      try {
        await a.onHigh(a.win, a.chunk, ev.lsn);
        a.settle.resolve();
      } catch (e) {
        a.settle.reject(e);
        throw e;
      }
    },
    async requestNewTables(state) {
      if (state.phase !== "stream") return;
      const known = new Set([...state.backfill.map((p) => p.table), ...(state.resync ?? []).map((r) => r.table)]);
      for (const t of graph.order) {
        if (known.has(t.name)) continue;
        logger.info({ table: t.name }, "table added to the definitions after streaming began: copying it while streaming");
        await requestResync(deps.reader, deps.config.slot, t.name);
      }
    },
    start() {
      loop = (async () => {
        while (!stopped) {
          let busy = false;
          try {
            busy = await step();
          } catch (e) {
            if (stopped) break;
            logger.error({ err: e instanceof Pg2ConvexError ? e.toJSON() : String(e) }, "re-sync step failed; retrying from its durable progress");
          }
          if (!busy && !stopped) await sleep(pollMs);
        }
      })();
    },
    async stop() {
      stopped = true;
      stopSignal(new Pg2ConvexError("INTERNAL", "re-sync stopped"));
      wake();
      await loop;
      await pgClient?.end().catch(() => undefined);
      pgClient = null;
    },
  };
}

/** Transactions remembered per re-synced table: far more than can stall in commit at once. */
const RECENT_XIDS = 10_000;

function rememberXid(recent: Map<number, Lsn>, table: string, tx: ObservedTx): void {
  if (!tx.changes.some((c) => changedKeys(table, c) !== null)) return;
  recent.delete(tx.xid);
  recent.set(tx.xid, tx.commitLsn);
  if (recent.size > RECENT_XIDS) recent.delete(recent.keys().next().value!);
}
