// The settings of every session pg2convex opens, SQL and replication alike. Values reach us as text printed by
// the session's output functions (the backfill's raw reads, wal2json's output plugin, test_decoding), so the same
// value must print the same way on every connection. Invariant: ours are applied last, so neither database/role
// defaults (ALTER DATABASE ... SET) nor an `options` parameter in a connection string can change the format.
import type { ClientConfig } from "pg";
import { quoteLiteral } from "./ident";

export const SESSION_SETTINGS: Readonly<Record<string, string>> = {
  // Commit timestamps and timestamptz values in UTC ("+00").
  TimeZone: "UTC",
  // Dates and timestamps as ISO 8601 (YYYY-MM-DD HH:MM:SS).
  DateStyle: "ISO",
  // bytea as \x followed by hex digits.
  bytea_output: "hex",
  // Shortest text that reads back to exactly the same float.
  extra_float_digits: "3",
  // interval as "1 year 2 mons 3 days 04:05:06" (pgtext columns hold the output text).
  IntervalStyle: "postgres",
  // money as "$12.34": the C locale exists on every server, so no role or database default changes it.
  lc_monetary: "C",
};

/** The SET statements a SQL connection runs right after connecting (after the startup options, so ours win). */
export function sessionSetSql(applicationName: string): string {
  const settings = { ...SESSION_SETTINGS, application_name: applicationName };
  return Object.entries(settings)
    .map(([k, v]) => `SET ${k} = ${quoteLiteral(v)}`)
    .join("; ");
}

// The replication library opens its own connection and sends START_REPLICATION on it straight away, so there
// the settings travel as startup options.
const startupOptions = Object.entries(SESSION_SETTINGS)
  .map(([k, v]) => `-c ${k}=${v}`)
  .join(" ");

/**
 * The pg client configuration for the replication connection. An `options` query parameter in a URL would
 * override the config field in pg, so it is moved out of the URL and placed before ours.
 */
export function replicationClientConfig(connectionString: string, applicationName?: string): ClientConfig {
  const config = replicationConfig(connectionString, applicationName !== undefined);
  return applicationName === undefined ? config : { ...config, application_name: applicationName };
}

/**
 * `dropAppName`: the caller names the walsender (slot takeover proves a walsender is ours by that name), so an
 * application_name in the URL, which pg would let win, is removed like `options`.
 */
function replicationConfig(connectionString: string, dropAppName: boolean): ClientConfig {
  let url: URL | undefined;
  try {
    url = new URL(connectionString);
  } catch {
    url = undefined;
  }
  // A bounded connect and TCP keepalives: a server that went away is noticed instead of waited on.
  const bounds = { connectionTimeoutMillis: 10_000, keepAlive: true };
  if (!url || !/^postgres(ql)?:$/.test(url.protocol)) return { connectionString, options: startupOptions, ...bounds };
  const theirs = url.searchParams.get("options");
  url.searchParams.delete("options");
  if (dropAppName) url.searchParams.delete("application_name");
  return { connectionString: url.toString(), options: theirs ? `${theirs} ${startupOptions}` : startupOptions, ...bounds };
}
