// Turns whatever the pg driver threw into a typed error. Invariants: connection loss is always retryable
// STREAM_FAILED; messages come from the driver or the server, never from the connection string, so no
// credentials can end up in them.
import { Pg2ConvexError } from "../errors";
import { REBUILD_FIX } from "../errors/recovery";
import { formatLsn, type Lsn } from "../model/lsn";
import { CONNECTION_LOST_FIX } from "../postgres/connection-lost";
import { errorCode, errorMessage } from "../postgres/pg-error";

export interface StreamErrorContext {
  readonly slot: string;
  /** Whether START_REPLICATION had been accepted when the error happened. */
  readonly started: boolean;
  /** Last position received from the server, if any. */
  readonly lastLsn: Lsn | null;
}

export function toStreamError(e: unknown, ctx: StreamErrorContext): Pg2ConvexError {
  if (e instanceof Pg2ConvexError) return e;
  // Any driver code, not only SQLSTATEs: a socket's errno name (ECONNRESET) tells a connection that never opened.
  const code = errorCode(e);
  const context = {
    slot: ctx.slot,
    ...(ctx.lastLsn === null ? {} : { lsn: formatLsn(ctx.lastLsn) }),
    ...(code === undefined ? {} : { pgCode: code }),
  };
  const opts = (retryable: boolean, fix?: string) => ({ retryable, context, cause: e, ...(fix ? { fix } : {}) });
  const msg = errorMessage(e);

  if (code === "42704") {
    return new Pg2ConvexError("SLOT_MISSING", `replication slot ${ctx.slot} does not exist: ${msg}`, opts(false, `changes made since it was dropped are not in any stream: ${REBUILD_FIX}`));
  }
  // Authentication, missing database, missing privilege: retrying cannot help.
  if (code !== undefined && (code.startsWith("28") || code === "3D000" || code === "42501")) {
    return new Pg2ConvexError("PG_CONNECT", `cannot open a replication connection: ${msg}`, opts(false, "check the database URL and that the role has REPLICATION"));
  }
  // The slot is streamed by another process (55006): retryable, it may go away.
  if (code === "55006") {
    return new Pg2ConvexError("STREAM_FAILED", `replication slot ${ctx.slot} is in use: ${msg}`, opts(true, "stop the other consumer of this slot"));
  }
  // wal2json rejects options it does not know: numeric-data-types-as-string needs wal2json >= 2.6.
  if (code === "22023" && /option ".*" = ".*" is unknown/.test(msg)) {
    return new Pg2ConvexError("CONFIG_INVALID", `wal2json rejected a plugin option: ${msg}`, opts(false, "numericAsString needs wal2json 2.6 or later: upgrade wal2json or turn numericAsString off"));
  }
  // Bad plugin options or protocol syntax are bugs or misconfiguration, not transient.
  if (code !== undefined && (code.startsWith("22") || code.startsWith("42"))) {
    return new Pg2ConvexError("STREAM_FAILED", `START_REPLICATION rejected: ${msg}`, opts(false));
  }
  if (!ctx.started && (code === undefined || /^E[A-Z]+$/.test(code) || code.startsWith("08") || code.startsWith("57P"))) {
    return new Pg2ConvexError("PG_CONNECT", `cannot open a replication connection: ${msg}`, opts(true, "make sure PostgreSQL is running and accepts replication connections, then start pg2convex again"));
  }
  // Everything else here is the connection ending under a running stream (restart, failover, terminated walsender).
  return new Pg2ConvexError("STREAM_FAILED", `replication stream failed: ${msg}`, opts(true, CONNECTION_LOST_FIX));
}
