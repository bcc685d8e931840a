// Reading node-postgres errors: the SQLSTATE of a server error, the errno code of a socket error.

/** The error's `code` as the driver set it: a SQLSTATE from the server or an errno name (ECONNRESET) from the socket. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The five-character SQLSTATE of a server error. */
export function sqlState(e: unknown): string | undefined {
  const code = errorCode(e);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The message of a missing output plugin: `could not access file "wal2json": No such file or directory`. */
export function isMissingPlugin(e: unknown, plugin: string): boolean {
  return sqlState(e) === "58P01" && errorMessage(e).includes(`could not access file "${plugin}"`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
