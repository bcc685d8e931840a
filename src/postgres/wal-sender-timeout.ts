// How often the replication stream must report its status so the walsender never times it out.
// Invariant: the interval is at most a quarter of the wal_sender_timeout the walsender of this database will
// use (ALTER DATABASE/ROLE ... SET applies to it too, so it is read on a session of the same database and role),
// and at most 10 s. While a large transaction is applied the socket stays paused and keepalive requests go
// unread; this timer is then the only thing that keeps the walsender patient. What it reports is still only
// the durable position (src/source/durable-only-service.ts).
import type pg from "pg";

const MAX_INTERVAL_MS = 10_000;
const MIN_INTERVAL_MS = 100;

/** wal_sender_timeout in milliseconds (0: disabled). */
export async function walSenderTimeoutMs(client: pg.ClientBase): Promise<number> {
  const r = await client.query("SELECT setting::bigint AS ms FROM pg_settings WHERE name = 'wal_sender_timeout'");
  return Number(r.rows[0]?.ms ?? 60_000);
}

export function statusIntervalFor(timeoutMs: number): number {
  if (!(timeoutMs > 0)) return MAX_INTERVAL_MS;
  return Math.max(MIN_INTERVAL_MS, Math.min(MAX_INTERVAL_MS, Math.floor(timeoutMs / 4)));
}
