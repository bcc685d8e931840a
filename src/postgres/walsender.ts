// Who streams a slot, and ending that walsender. Used by slot takeover (src/leadership/slot-takeover.ts), which
// decides whether the walsender is provably this bridge's; this file only reads and signals.
import type pg from "pg";
import { validateSlotName } from "./ident";

export interface SlotStreamer {
  readonly pid: number;
  /** From pg_stat_activity: null when the session is not visible to this role. */
  readonly applicationName: string | null;
  readonly backendType: string | null;
  readonly user: string | null;
}

/** The process streaming `slot` (pg_replication_slots.active_pid) and what pg_stat_activity shows of it; null if none. */
export async function slotStreamer(client: pg.ClientBase, slot: string): Promise<SlotStreamer | null> {
  validateSlotName(slot);
  const { rows } = await client.query(
    `SELECT s.active_pid AS pid, a.application_name, a.backend_type, a.usename::text AS usename
       FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
      WHERE s.slot_name = $1 AND s.active_pid IS NOT NULL`,
    [slot],
  );
  const r = rows[0];
  return r ? { pid: r.pid, applicationName: r.application_name ?? null, backendType: r.backend_type ?? null, user: r.usename ?? null } : null;
}

/** pg_terminate_backend, waiting up to `waitMs` for the process to exit; true if it was signalled. */
export async function terminateBackend(client: pg.ClientBase, pid: number, waitMs = 5000): Promise<boolean> {
  const { rows } = await client.query("SELECT pg_terminate_backend($1::int, $2::bigint) AS ok", [pid, waitMs]);
  return rows[0].ok === true;
}
