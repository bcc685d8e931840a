// Inspecting and removing the mirror's slot. Invariant: a slot is only ever dropped by name after
// validation, and an active walsender on it (a running pg2convex, pg_recvlogical, …) is terminated
// first, because PostgreSQL refuses to drop an active slot.
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import { parseLsn, type Lsn } from "../model/lsn";
import { quoteIdent, validateSlotName } from "./ident";
import { errorMessage, sleep, sqlState } from "./pg-error";

export interface SlotInfo {
  readonly slot: string;
  readonly exists: boolean;
  readonly active: boolean;
  readonly activePid: number | null;
  readonly plugin: string | null;
  readonly database: string | null;
  /** Oldest WAL the slot keeps; null once the slot has been invalidated. */
  readonly restartLsn: Lsn | null;
  /** Everything before it has been confirmed by the consumer. */
  readonly confirmedFlushLsn: Lsn | null;
  /** reserved, extended, unreserved or lost. */
  readonly walStatus: string | null;
  readonly currentWalLsn: Lsn;
  /** currentWalLsn - confirmedFlushLsn: WAL not yet confirmed by the mirror. */
  readonly lagBytes: bigint | null;
  /** currentWalLsn - restartLsn: WAL the server keeps on disk for this slot. */
  readonly retainedBytes: bigint | null;
}

const lsn = (text: string | null): Lsn | null => (text === null ? null : parseLsn(text));

export async function slotInfo(client: pg.ClientBase, slot: string): Promise<SlotInfo> {
  validateSlotName(slot);
  const { rows } = await client.query(
    `SELECT s.slot_name IS NOT NULL AS exists, coalesce(s.active, false) AS active, s.active_pid, s.plugin::text, s.database::text,
            s.restart_lsn::text, s.confirmed_flush_lsn::text, s.wal_status,
            (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS current_lsn
       FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = $1`,
    [slot],
  );
  const r = rows[0];
  const current = parseLsn(r.current_lsn);
  const restartLsn = lsn(r.restart_lsn);
  const confirmedFlushLsn = lsn(r.confirmed_flush_lsn);
  return {
    slot,
    exists: r.exists,
    active: r.active,
    activePid: r.active_pid,
    plugin: r.plugin,
    database: r.database,
    restartLsn,
    confirmedFlushLsn,
    walStatus: r.wal_status,
    currentWalLsn: current,
    lagBytes: confirmedFlushLsn === null ? null : current - confirmedFlushLsn,
    retainedBytes: restartLsn === null ? null : current - restartLsn,
  };
}

/** For setup: refuses to recreate an existing slot (recreating would silently skip changes). */
export async function assertSlotAbsent(client: pg.ClientBase, slot: string): Promise<void> {
  const info = await slotInfo(client, slot);
  if (!info.exists) return;
  throw new Pg2ConvexError("SLOT_EXISTS", `replication slot ${slot} already exists (plugin ${info.plugin}, database ${info.database}, ${info.active ? "active" : "inactive"})`, {
    context: { slot, database: info.database ?? undefined },
    fix: "run pg2convex teardown first, or use --slot",
  });
}

/** For start-up: the slot must exist, decode with wal2json in this database, and still have its WAL. */
export async function requireSlot(client: pg.ClientBase, slot: string): Promise<SlotInfo> {
  const info = await slotInfo(client, slot);
  const context = { slot, database: info.database ?? undefined };
  if (!info.exists) throw new Pg2ConvexError("SLOT_MISSING", `replication slot ${slot} does not exist`, { context, fix: "run pg2convex setup first (it creates the slot and backfills), or pass the right --slot" });
  const { rows } = await client.query("SELECT current_database() AS db");
  if (info.plugin !== "wal2json" || info.database !== rows[0].db) {
    throw new Pg2ConvexError("PG_CHECK_FAILED", `replication slot ${slot} is not a wal2json slot of database ${rows[0].db} (plugin ${info.plugin}, database ${info.database})`, {
      context,
      fix: "use --slot with the name pg2convex setup created, or run pg2convex setup with a new --slot",
    });
  }
  if (info.walStatus === "lost") {
    throw new Pg2ConvexError("SLOT_MISSING", `replication slot ${slot} lost WAL it had not streamed yet (wal_status = lost): changes are gone`, {
      context,
      fix: "run pg2convex teardown, then pg2convex setup (a fresh backfill); raise max_slot_wal_keep_size to keep this from recurring",
    });
  }
  return info;
}

export interface DropSlotOptions {
  /** How long to keep terminating the slot's walsender and retrying (default 10 s). */
  timeoutMs?: number;
}

export async function dropSlot(client: pg.ClientBase, slot: string, opts: DropSlotOptions = {}): Promise<void> {
  validateSlotName(slot);
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const info = await slotInfo(client, slot);
    if (!info.exists) throw missing(slot);
    try {
      if (info.activePid !== null) await client.query("SELECT pg_terminate_backend($1, 5000)", [info.activePid]);
      await client.query("SELECT pg_drop_replication_slot($1)", [slot]);
      return;
    } catch (e) {
      const state = sqlState(e);
      if (state === "42704") throw missing(slot); // dropped concurrently
      if (state === "42501") {
        throw new Pg2ConvexError("PG_CHECK_FAILED", `not allowed to stop the process using slot ${slot} or to drop it: ${errorMessage(e)}`, {
          context: { slot, pid: info.activePid },
          fix: `run pg2convex teardown as a superuser or as the slot's role, or stop the process with pid ${info.activePid ?? "?"} first`,
          cause: e,
        });
      }
      // 55006: still active (the walsender has not exited yet, or a client reconnected): try again.
      if (state !== "55006" || Date.now() > deadline)
        throw new Pg2ConvexError("PG_CHECK_FAILED", `dropping replication slot ${quoteIdent(slot)} failed: ${errorMessage(e)}`, { context: { slot }, fix: "stop every client streaming from the slot, then run pg2convex teardown again", cause: e });
      await sleep(100);
    }
  }
}

const missing = (slot: string) =>
  new Pg2ConvexError("SLOT_MISSING", `replication slot ${slot} does not exist`, {
    context: { slot },
    fix: "nothing to drop: check --slot against SELECT slot_name FROM pg_replication_slots",
  });
