// The slot's leadership lock: a session-level advisory lock, so PostgreSQL itself releases it when the session
// holding it ends (the process died, its connection dropped, or the server's lease below expired). Invariants:
//  - one key pair per slot name (two int4 keys: a constant naming pg2convex, and a hash of the slot), so every
//    `pg2convex run` of one slot competes for the same lock and pg_locks shows it as classid/objid;
//  - the session's server-side lease: idle_session_timeout ends a holder that stops talking (its pings stop),
//    and TCP keepalives end one whose peer vanished, so a dead machine cannot keep the lock for ever.
import { createHash } from "node:crypto";
import type pg from "pg";
import { validateSlotName } from "./ident";

/** 'pg2c' as a big-endian int4: the first key of every pg2convex lock. */
export const LOCK_CLASS = 0x70673263;

export interface LockKey {
  readonly classId: number;
  readonly objId: number;
}

/** The lock of `slot`: LOCK_CLASS and the first four bytes of sha256(slot) as a signed int4. */
export function slotLockKey(slot: string): LockKey {
  validateSlotName(slot);
  return { classId: LOCK_CLASS, objId: createHash("sha256").update(slot).digest().readInt32BE(0) };
}

export async function tryAdvisoryLock(client: pg.ClientBase, key: LockKey): Promise<boolean> {
  const { rows } = await client.query("SELECT pg_try_advisory_lock($1::int4, $2::int4) AS got", [key.classId, key.objId]);
  return rows[0].got === true;
}

/** Whether this session still holds `key` (the liveness ping of a leader). */
export async function holdsAdvisoryLock(client: pg.ClientBase, key: LockKey): Promise<boolean> {
  const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = ($1::int4)::oid AND objid = ($2::int4)::oid AND objsubid = 2 AND granted", [key.classId, key.objId]);
  return rows[0].n > 0;
}

/** The pid of the session holding `key`, or null (for logs: who leads). */
export async function advisoryLockHolder(client: pg.ClientBase, key: LockKey): Promise<number | null> {
  const { rows } = await client.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = ($1::int4)::oid AND objid = ($2::int4)::oid AND objsubid = 2 AND granted LIMIT 1", [key.classId, key.objId]);
  return rows[0]?.pid ?? null;
}

/**
 * The server-side lease of the lock session: a session idle (no ping) for `leaseMs` is ended by the server, and
 * a dead peer is detected by keepalive probes within about a third of it. Settings this server does not know
 * (idle_session_timeout is PostgreSQL 14+) are skipped: the lease then rests on keepalives alone.
 */
export async function setLeaseSettings(client: pg.ClientBase, leaseMs: number): Promise<string[]> {
  const third = Math.max(1, Math.floor(leaseMs / 3000));
  const settings: Array<[string, string]> = [
    ["idle_session_timeout", `${leaseMs}ms`],
    ["tcp_keepalives_idle", String(third)],
    ["tcp_keepalives_interval", "1"],
    ["tcp_keepalives_count", "3"],
  ];
  const skipped: string[] = [];
  for (const [name, value] of settings) {
    try {
      await client.query("SELECT set_config($1, $2, false)", [name, value]);
    } catch {
      skipped.push(name);
    }
  }
  return skipped;
}
