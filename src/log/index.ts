// pino JSON logs (pretty on a terminal). Invariant: connection strings and admin keys never reach a log
// line: known secret fields are redacted by path, and any string is scrubbed of URL passwords and keys.
import pino from "pino";

export type Logger = pino.Logger;

const REDACT_PATHS = ["databaseUrl", "connectionString", "adminKey", "convexAdminKey", "password", "*.databaseUrl", "*.connectionString", "*.adminKey", "*.convexAdminKey", "*.password", "config.databaseUrl", "config.convexAdminKey"];

/** Removes credentials from free text: URL passwords, admin-key-looking tokens after `Convex `, known secrets. */
export function scrubSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+):[^@\s]*@/gi, "$1:***@");
  // An `Authorization: Convex <key>` token: admin and deploy keys carry a `|` ("prod:name|…", "local-convex|…");
  // any other token is taken for a key only when key-length, so prose ("a Convex deployment") stays readable.
  out = out.replace(/(Convex\s+)(?:[A-Za-z0-9:_\-+/=]*\|[A-Za-z0-9|:_\-+/=]+|[A-Za-z0-9|:_\-+/=]{24,})/g, "$1***");
  for (const s of knownSecrets) if (s.length >= 4) out = out.split(s).join("***");
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Force pretty output; defaults to "stdout is a terminal". */
  pretty?: boolean;
  /** Exact secret values to scrub from every message (the configured admin key, DB password). */
  secrets?: readonly string[];
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = opts.secrets ?? [];
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !process.env.CI);
  const options: pino.LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? "info",
    base: { name: "pg2convex" },
    redact: { paths: REDACT_PATHS, censor: "***" },
    formatters: {
      log: (obj) => JSON.parse(scrubSecrets(JSON.stringify(obj, bigintReplacer), secrets)) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === "string" ? scrubSecrets(a, secrets) : a)) as Parameters<typeof method>;
        return method.apply(this, scrubbed);
      },
    },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (pretty) return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } } });
  return pino(options);
}

function bigintReplacer(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/** A logger that discards everything, for library use and tests that assert on behaviour, not logs. */
export const silentLogger: Logger = pino({ level: "silent" });
