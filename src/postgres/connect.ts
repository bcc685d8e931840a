// Connections to the source database. Invariants: every session pg2convex opens runs with the same
// settings (so values print the same way in backfill and in wal2json), and no error raised here ever
// contains the password or the raw connection string.
import pg from "pg";
import { Pg2ConvexError } from "../errors";
import { errorMessage, sqlState } from "./pg-error";
import { watchConnection } from "./connection-lost";
import { sessionSetSql } from "./session";

export interface ConnectOptions {
  /** "database": a logical-replication connection (CREATE_REPLICATION_SLOT, START_REPLICATION, and SQL). */
  replication?: "database";
  applicationName?: string;
  connectTimeoutMs?: number;
  /** Client-side bound on every query (pg's query_timeout): a stalled or silently dead server fails the query. */
  queryTimeoutMs?: number;
  /**
   * Called once if the session is lost after connectPg returned (server restart, pg_terminate_backend). The
   * client always has an 'error' listener, with or without this; queries on a lost client reject.
   */
  onLost?: (e: Pg2ConvexError) => void;
  /** TCP keepalives on the socket, first probe after this many ms (the leadership lock's connection). */
  keepAliveMs?: number;
}

export async function connectPg(connectionString: string, opts: ConnectOptions = {}): Promise<pg.Client> {
  const applicationName = opts.applicationName ?? "pg2convex";
  let client: pg.Client;
  try {
    const config = {
      connectionString,
      application_name: applicationName,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      keepAlive: true,
      ...(opts.keepAliveMs === undefined ? {} : { keepAliveInitialDelayMillis: opts.keepAliveMs }),
      ...(opts.queryTimeoutMs === undefined ? {} : { query_timeout: opts.queryTimeoutMs }),
    };
    client = new pg.Client(opts.replication ? ({ ...config, replication: opts.replication } as unknown as pg.ClientConfig) : config);
  } catch (e) {
    throw new Pg2ConvexError("PG_CONNECT", `the PostgreSQL connection string could not be parsed: ${scrub(errorMessage(e))}`, {
      fix: "write the connection string as postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters)",
    });
  }
  // Attached before connect(): a loss during the SET below must not become an uncaught 'error' event either.
  let connected = false;
  watchConnection(client, (e) => connected && opts.onLost?.(e));
  // Applied with SET after connecting, so a connection string's own `options` cannot drop them.
  const set = sessionSetSql(applicationName);
  try {
    await client.connect();
    await client.query(set);
    connected = true;
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectError(client, e);
  }
}

function connectError(client: pg.Client, e: unknown): Pg2ConvexError {
  const target = { host: client.host, port: client.port, database: client.database, user: client.user };
  const where = `${target.host}:${target.port}, database "${target.database}", user "${target.user}"`;
  const state = sqlState(e);
  const reason = scrub(errorMessage(e), client.password);
  const [retryable, fix] = classify(state, errorMessage(e), target);
  return new Pg2ConvexError("PG_CONNECT", `cannot connect to PostgreSQL at ${where}: ${reason}`, {
    retryable,
    context: { ...target, ...(state ? { sqlState: state } : {}) },
    fix,
    cause: e,
  });
}

// Retrying helps with an unreachable or busy server; it cannot fix credentials or a missing database.
function classify(state: string | undefined, message: string, t: { host?: string; port?: number; database?: string; user?: string }): [boolean, string] {
  switch (state) {
    case "28P01":
      return [false, `check the user name and password for user "${t.user}" in the connection string`];
    case "28000":
      return [false, `check that role "${t.user}" exists and that pg_hba.conf lets it connect to database "${t.database}" from this host`];
    case "3D000":
      return [false, `create database "${t.database}" or fix the database name in the connection string`];
    case "42501":
      return [false, `GRANT CONNECT ON DATABASE "${t.database}" TO "${t.user}"`];
    case "53300":
      if (message.includes("max_wal_senders")) {
        // "(currently 0)": replication is switched off, waiting cannot help.
        return [!message.includes("(currently 0)"), "raise max_wal_senders (ALTER SYSTEM SET max_wal_senders = 10;) and restart PostgreSQL, or stop another replication client"];
      }
      return [true, "raise max_connections or close idle connections, then retry"];
    default:
      return [true, `make sure PostgreSQL is running and accepts connections on ${t.host}:${t.port} (listen_addresses, firewall), then retry`];
  }
}

/** Removes credentials from text that may echo a connection string or a password. */
export function scrub(text: string, password?: unknown): string {
  let out = text.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, "$1***@").replace(/(password\s*=\s*)\S+/gi, "$1***");
  if (typeof password === "string" && password.length > 0) out = out.split(password).join("***");
  return out;
}
