// pg2convex command line. Each command lives in ./commands/<name>.ts and exports
// `main(argv): Promise<number>` returning the process exit code; this file only dispatches.
import { describeError, describeErrorLine, Pg2ConvexError } from "../errors";
import { scrubSecrets } from "../log";

const commands: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }> = {
  setup: { summary: "check PostgreSQL and create the replication slot", load: () => import("./commands/setup") },
  run: { summary: "the sidecar: backfill if needed, then stream changes into Convex", load: () => import("./commands/run") },
  status: { summary: "checkpoint, slot lag and per-table row counts", load: () => import("./commands/status") },
  teardown: { summary: "drop the replication slot", load: () => import("./commands/teardown") },
  demo: { summary: "end-to-end demo on a throwaway PostgreSQL and the local Convex", load: () => import("./commands/demo") },
  "local-convex": { summary: "serve the project's Convex functions locally over the Convex HTTP API", load: () => import("./commands/local-convex") },
  lint: { summary: "block SQL that touches legacy tables (guardrail)", load: () => import("./commands/lint") },
  inventory: { summary: "list every SQL site with the tables it reads and writes", load: () => import("./commands/inventory") },
  parity: { summary: "compare the Convex mirror with PostgreSQL", load: () => import("./commands/parity") },
  cutover: { summary: "move a share of a table's reads to Convex (gated)", load: () => import("./commands/cutover") },
  rollback: { summary: "send a table's reads back to PostgreSQL at once", load: () => import("./commands/rollback") },
  drill: { summary: "rehearse a rollback of a table's reads and record it", load: () => import("./commands/drill") },
  init: { summary: "write table definitions (and convex/ files) from the PostgreSQL catalog; --check for CI", load: () => import("./commands/init") },
  dlq: { summary: "the dead-letter queue: list, show, resolve", load: () => import("./commands/dlq") },
  resync: { summary: "copy one table again while `run` keeps streaming", load: () => import("./commands/resync") },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return ["usage: pg2convex <command> [options]", "", ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`), "", "Run `pg2convex <command> --help` for a command's options."].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`pg2convex: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.main(rest);
}

/**
 * Last resort for an error nothing awaited (an 'error' event without a listener, a rejected promise no one
 * handles). Expected errors are typed and handled where they happen; reaching this is a bug. Either way the
 * operator gets one line (the location of a bug's first stack frame, not the whole stack) and a non-zero exit,
 * never a raw Node crash dump.
 */
function fatal(kind: string, e: unknown): never {
  const where = e instanceof Error && !(e instanceof Pg2ConvexError) ? /\n\s+at (.+)/.exec(e.stack ?? "")?.[1] : undefined;
  const text = e instanceof Pg2ConvexError ? describeErrorLine(e) : `${kind} (a bug, please report it): ${describeErrorLine(e)}${where ? ` at ${where}` : ""}`;
  process.stderr.write(`${scrubSecrets(`pg2convex: ${text}`, [process.env.CONVEX_ADMIN_KEY ?? ""])}\n`);
  process.exit(70);
}
process.on("uncaughtException", (e) => fatal("uncaught exception", e));
process.on("unhandledRejection", (e) => fatal("unhandled promise rejection", e));

// Every command releases what it opened before returning, so the process ends by itself. If something still
// holds the event loop open a few seconds later (a leaked connection or timer: a bug), exit anyway rather than
// hang with the command finished; the timer is unref'd, so it never delays a clean exit.
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write("pg2convex: exiting although a connection or timer was still open (a bug, please report it)\n");
    process.exit(code);
  }, 5000).unref();
}

main(process.argv.slice(2)).then(exitSoon, (e: unknown) => {
  console.error(scrubSecrets(describeError(e), [process.env.CONVEX_ADMIN_KEY ?? ""]));
  exitSoon(2);
});
