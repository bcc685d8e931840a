// The slot guard: what the slot costs the server and whether it can still continue the mirror, as metrics and
// health. Pure evaluation (evaluateSlot) plus idempotent gauges, so a process that leads several times in a row
// registers them once. States, from pg_replication_slots.wal_status:
//  - reserved: fine; extended: the slot retains more than max_wal_size (degraded);
//  - unreserved: WAL the slot needs is due for removal at the next checkpoint (degraded, urgent);
//  - lost: the slot was invalidated (max_slot_wal_keep_size): the changes it skipped are gone and the mirror
//    cannot continue. Fatal, SLOT_MISSING, with the rebuild steps.
import { Gauge, type Registry } from "prom-client";
import { Pg2ConvexError } from "../errors";
import { REBUILD_FIX } from "../errors/recovery";
import type { SlotInfo } from "../postgres/slot-admin";

export interface SlotHealth {
  walStatus: string | null;
  /** pg_current_wal_lsn() − restart_lsn: WAL kept on disk for the slot. */
  retainedWalBytes: number | null;
  /** pg_current_wal_lsn() − confirmed_flush_lsn. */
  lagBytes: number | null;
  /** Age of the oldest heartbeat the slot has not confirmed yet (0: every heartbeat confirmed). */
  lagSeconds: number;
  /** Why the slot degrades health, with what to do; absent when fine. */
  problem?: string;
}

export interface SlotVerdict {
  health: SlotHealth;
  /** Set when the mirror cannot continue (invalidated slot). */
  fatal?: Pg2ConvexError;
}

export function evaluateSlot(info: SlotInfo, lagSeconds: number): SlotVerdict {
  const health: SlotHealth = {
    walStatus: info.walStatus,
    retainedWalBytes: info.retainedBytes === null ? null : Number(info.retainedBytes),
    lagBytes: info.lagBytes === null ? null : Number(info.lagBytes),
    lagSeconds,
  };
  const context = { slot: info.slot, walStatus: info.walStatus ?? "(none)" };
  if (!info.exists) {
    const fatal = new Pg2ConvexError("SLOT_MISSING", `replication slot ${info.slot} was dropped while the mirror streamed from it: changes since then are not in any stream`, { context, fix: REBUILD_FIX });
    return { health: { ...health, problem: fatal.message }, fatal };
  }
  if (info.walStatus === "lost") {
    const fatal = new Pg2ConvexError("SLOT_MISSING", `replication slot ${info.slot} was invalidated (wal_status = lost): PostgreSQL removed WAL it had not streamed yet (max_slot_wal_keep_size), so those changes are gone`, {
      context,
      fix: `${REBUILD_FIX}; then raise max_slot_wal_keep_size (or -1) so a slow or stopped mirror cannot lose WAL again`,
    });
    return { health: { ...health, problem: fatal.message }, fatal };
  }
  if (info.walStatus === "unreserved") {
    return {
      health: { ...health, problem: `slot ${info.slot} is about to be invalidated (wal_status = unreserved, ${mb(health.retainedWalBytes)} retained): WAL it needs goes at the next checkpoint unless it catches up; raise max_slot_wal_keep_size now` },
    };
  }
  if (info.walStatus === "extended") {
    return { health: { ...health, problem: `slot ${info.slot} retains ${mb(health.retainedWalBytes)} of WAL, more than max_wal_size (wal_status = extended): the mirror is behind or the slot is not advancing` } };
  }
  return { health };
}

const mb = (bytes: number | null) => (bytes === null ? "unknown" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

export const WAL_STATUSES = ["reserved", "extended", "unreserved", "lost"] as const;

export interface SlotGauges {
  record(health: SlotHealth): void;
}

/** The slot gauges in `registry` (created once per registry). */
export function slotGauges(registry: Registry): SlotGauges {
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) => (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const retained = gauge("pg2convex_slot_retained_wal_bytes", "WAL the server keeps for the slot: pg_current_wal_lsn() - restart_lsn");
  const confirmedLag = gauge("pg2convex_slot_confirmed_lag_bytes", "pg_current_wal_lsn() - the slot's confirmed_flush_lsn");
  const lagSeconds = gauge("pg2convex_slot_lag_seconds", "Age of the oldest heartbeat the slot has not confirmed (0 = caught up to the last heartbeat)");
  const status = gauge("pg2convex_slot_wal_status", "1 for the slot's current wal_status (reserved, extended, unreserved, lost)", ["status"]);
  return {
    record(h) {
      if (h.retainedWalBytes !== null) retained.set(h.retainedWalBytes);
      if (h.lagBytes !== null) confirmedLag.set(h.lagBytes);
      lagSeconds.set(h.lagSeconds);
      for (const s of WAL_STATUSES) status.set({ status: s }, h.walStatus === s ? 1 : 0);
    },
  };
}
