// A PostgreSQL session that ends under pg2convex: a server restart (`pg_ctl restart -m fast`), a failover,
// pg_terminate_backend, a network cut. Invariants: every pg.Client pg2convex opens has an 'error' listener (pg
// emits 'error' on a client whose connection dies, and an EventEmitter without a listener turns that into an
// uncaught exception that kills the process), and such a loss surfaces as one typed, retryable
// PG_CONNECTION_LOST error. Messages come from the driver or the server, never from the connection string.
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import { errorMessage, sqlState } from "./pg-error";

// 57P01 admin_shutdown (fast shutdown, pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now,
// class 08 connection exceptions.
const LOSS_STATE = /^(57P0[1-3]|08[0-9A-Z]{3})$/;
// "Query read timeout": pg's client-side query_timeout fired (a stalled or silently dead server); the session is
// unusable after it, so it counts as lost.
const LOSS_MESSAGE = /Connection terminated|not queryable|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|Query read timeout/i;

export const CONNECTION_LOST_FIX = "PostgreSQL restarted or ended the session (restart, failover, pg_terminate_backend, network): start pg2convex again once PostgreSQL accepts connections; it resumes from the last durable checkpoint";

/** True when `e` says the session is gone (as opposed to a statement that failed on a live session). */
export function isConnectionLoss(e: unknown): boolean {
  if (e instanceof Pg2ConvexError) return e.code === "PG_CONNECTION_LOST";
  const state = sqlState(e);
  if (state !== undefined) return LOSS_STATE.test(state);
  const code = (e as { code?: unknown } | null)?.code;
  return LOSS_MESSAGE.test(errorMessage(e)) || (typeof code === "string" && LOSS_MESSAGE.test(code));
}

export function connectionLostError(e: unknown, what = "PostgreSQL connection"): Pg2ConvexError {
  if (e instanceof Pg2ConvexError) return e;
  const state = sqlState(e);
  return new Pg2ConvexError("PG_CONNECTION_LOST", `the ${what} was lost: ${errorMessage(e)}`, {
    retryable: true,
    context: state ? { sqlState: state } : {},
    cause: e,
    fix: CONNECTION_LOST_FIX,
  });
}

/**
 * Installs the client's 'error' listener. A queued or running query on a lost client still rejects on its own;
 * the listener only keeps the process alive and reports the loss once (to `onLost`, when given).
 */
export function watchConnection(client: pg.Client, onLost?: (e: Pg2ConvexError) => void, what?: string): void {
  let reported = false;
  client.on("error", (e: Error) => {
    if (reported) return;
    reported = true;
    onLost?.(connectionLostError(e, what));
  });
}
