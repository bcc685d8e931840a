// Closing a SQL session without waiting on a dead peer. pg's client.end() waits for the server to close the
// socket; behind a stalled network path that never happens, and a start-up failure or a reconnect would wait
// for ever. Invariant: endSession settles within CLOSE_GRACE_MS, destroying the socket if it must.
import type pg from "pg";

const CLOSE_GRACE_MS = 5_000;

/**
 * Client-side bound on each statement of the bridge's SQL session: its statements (checks, slot info, values
 * slot peeks, keyset pages) take well under a minute on a healthy server, so a longer one means a stalled path.
 */
export const SESSION_QUERY_TIMEOUT_MS = 5 * 60_000;

export async function endSession(client: pg.Client, graceMs = CLOSE_GRACE_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = client.end().then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs)));
  const clean = await Promise.race([ended, late]);
  clearTimeout(timer);
  if (!clean) (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
