// Command-line plumbing shared by `pg2convex lint` and `pg2convex inventory`: the flags both accept,
// their mapping onto config keys, and the exit-code contract for tool failures.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { describeError, Pg2ConvexError } from "../errors";
import { LintConfigError } from "./errors";

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export const processIo = (): CommandIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
});

export const SHARED_ARGS = {
  config: { type: "string" },
  "search-path": { type: "string" },
  tag: { type: "string", multiple: true },
  call: { type: "string", multiple: true },
  exclude: { type: "string", multiple: true },
  format: { type: "string" },
  output: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const SHARED_USAGE = `  --config FILE           JSON options file (default: ./pg2convex-lint.json when present)
  --search-path SCHEMAS   schemas an unqualified table name resolves against; the first wins (default: public)
  --tag NAMES             tagged-template tags holding SQL; replaces the default
                          (sql, Prisma.sql, .$queryRaw, .$executeRaw); \`.name\` means a member of any object
  --call NAMES            more calls whose first argument is SQL; added to the default
                          (.query, .unsafe, .execute, .$queryRawUnsafe, .$executeRawUnsafe, knex.raw)
  --exclude GLOBS         paths to skip (default: **/node_modules/**, **/dist/**, **/*.d.ts)
  --output FILE           write the report to FILE instead of stdout
  -h, --help              this text
NAMES/SCHEMAS/GLOBS are comma-separated or repeated flags.`;

/** Splits `a,b` lists on commas outside double quotes (a quoted identifier may contain a comma). */
export function splitList(values: readonly string[] | string | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const out: string[] = [];
  for (const v of typeof values === "string" ? [values] : values) {
    let cur = "";
    let quoted = false;
    for (const ch of v) {
      if (ch === '"') quoted = !quoted;
      if (ch === "," && !quoted) {
        out.push(cur.trim());
        cur = "";
      } else cur += ch;
    }
    out.push(cur.trim());
  }
  return out.filter((s) => s !== "");
}

// The return type is spelled out so the built declarations can name it (node:util does not export it).
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new LintConfigError((e as Error).message, { fix: "run with --help for the options" });
  }
}

/** Config keys from the shared flags; undefined means "not given", so the file or default applies. */
export function sharedFlags(values: Record<string, unknown>, positionals: string[]): Record<string, unknown> {
  return {
    paths: positionals.length > 0 ? positionals : undefined,
    searchPath: splitList(values["search-path"] as string | undefined),
    tags: splitList(values.tag as string[] | undefined),
    calls: splitList(values.call as string[] | undefined),
    exclude: splitList(values.exclude as string[] | undefined),
    format: values.format,
    output: values.output,
  };
}

/** Runs a command body; a tool failure prints a clear message and exits 2 (findings exit 1). */
export async function runCommand(io: CommandIo, name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    io.stderr(`pg2convex ${name}: ${e instanceof Pg2ConvexError ? describeError(e) : `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`}\n`);
    return 2;
  }
}
