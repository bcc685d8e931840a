// Connection settings for the walsender session. wal2json renders values with the session's output functions,
// so the text the decoder sees depends on these GUCs. Invariant: ours are applied last, so neither database/role
// defaults (ALTER DATABASE ... SET) nor an `options` parameter in the URL can change the format.
import type { ClientConfig } from "pg";

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

const ourOptions = Object.entries(SESSION_SETTINGS)
  .map(([k, v]) => `-c ${k}=${v}`)
  .join(" ");

/**
 * The pg client configuration for the replication connection. An `options` query parameter in a URL would
 * override the config field in pg, so it is moved out of the URL and placed before ours.
 */
export function replicationClientConfig(connectionString: string): ClientConfig {
  let url: URL | undefined;
  try {
    url = new URL(connectionString);
  } catch {
    url = undefined;
  }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol)) return { connectionString, options: ourOptions };
  const theirs = url.searchParams.get("options");
  url.searchParams.delete("options");
  return { connectionString: url.toString(), options: theirs ? `${theirs} ${ourOptions}` : ourOptions };
}
