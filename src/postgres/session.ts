// The settings of every session pg2convex opens, SQL and replication alike. Values reach us as text printed by
// the session's output functions (backfill's `col::text`, wal2json's output plugin, test_decoding), so the same
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
  if (!url || !/^postgres(ql)?:$/.test(url.protocol)) return { connectionString, options: startupOptions };
  const theirs = url.searchParams.get("options");
  url.searchParams.delete("options");
  if (dropAppName) url.searchParams.delete("application_name");
  return { connectionString: url.toString(), options: theirs ? `${theirs} ${startupOptions}` : startupOptions };
}
