// Heartbeats and the slot guard, one timer for one streaming run. Each tick writes a heartbeat message into the
// mirrored database (src/postgres/heartbeat.ts) — its empty transaction is confirmed like any other (through a
// checkpoint-only batch), so the slot and restart_lsn advance while mirrored tables are idle and other databases
// write — then reads the slot (retained WAL, lag, wal_status) for metrics and health (observability/slot-guard.ts).
// Lag in seconds is measured by the heartbeats: the age of the oldest one whose LSN the slot has not confirmed.
// Invariants: ticks never overlap; a failed tick is logged once per change of state, never fatal by itself
// (a lost session is the SQL session's own error path); only an invalidated or dropped slot is fatal.
import type pg from "pg";
import type { Logger } from "../log";
import type { Pg2ConvexError } from "../errors";
import type { Lsn } from "../model/lsn";
import { emitHeartbeat } from "../postgres/heartbeat";
import { slotInfo } from "../postgres/slot-admin";
import { evaluateSlot, slotGauges, type SlotHealth } from "../observability/slot-guard";
import type { Metrics } from "../observability/metrics";

export interface HeartbeatOptions {
  pg: pg.ClientBase;
  slot: string;
  everyMs: number;
  logger: Logger;
  metrics?: Metrics;
  onHealth?: (h: SlotHealth) => void;
  /** The slot can no longer continue the mirror. */
  onFatal: (e: Pg2ConvexError) => void;
}

export interface Heartbeat {
  /** Runs one tick now (tests; the timer runs them on its own). */
  tick(): Promise<void>;
  stop(): void;
}

export function startHeartbeat(opts: HeartbeatOptions): Heartbeat {
  const log = opts.logger.child({ stage: "heartbeat", slot: opts.slot });
  const gauges = opts.metrics ? slotGauges(opts.metrics.registry) : null;
  const pending: Array<{ lsn: Lsn; at: number }> = [];
  let running: Promise<void> | null = null;
  let stopped = false;
  let failing = false;
  let lastProblem: string | undefined;

  const once = async () => {
    pending.push({ lsn: await emitHeartbeat(opts.pg, JSON.stringify({ at: new Date().toISOString() })), at: Date.now() });
    const info = await slotInfo(opts.pg, opts.slot);
    // A heartbeat is confirmed once confirmed_flush_lsn passed its message (the commit's end LSN is after it).
    while (pending.length > 0 && info.confirmedFlushLsn !== null && pending[0]!.lsn < info.confirmedFlushLsn) pending.shift();
    if (pending.length > 1000) pending.splice(0, pending.length - 1000);
    const lagSeconds = pending.length > 1 ? Math.round((Date.now() - pending[0]!.at) / 1000) : 0;
    const verdict = evaluateSlot(info, lagSeconds);
    gauges?.record(verdict.health);
    opts.onHealth?.(verdict.health);
    if (verdict.health.problem !== lastProblem) {
      if (verdict.health.problem) log.warn({ walStatus: info.walStatus, retainedWalBytes: verdict.health.retainedWalBytes }, verdict.health.problem);
      else log.info({ walStatus: info.walStatus }, "the replication slot is healthy again");
      lastProblem = verdict.health.problem;
    }
    if (verdict.fatal) opts.onFatal(verdict.fatal);
  };

  const tick = () => {
    running ??= once()
      .then(
        () => {
          if (failing) log.info("heartbeat written again");
          failing = false;
        },
        (e: unknown) => {
          if (!failing && !stopped) log.warn({ err: String(e) }, "could not write the heartbeat or read the slot; retrying on the next tick");
          failing = true;
        },
      )
      .finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => void tick(), opts.everyMs);
  timer.unref();
  return {
    tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
