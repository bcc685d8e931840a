// pg2convex command line. Each command lives in ./commands/<name>.ts and exports
// `main(argv): Promise<number>` returning the process exit code; this file only dispatches.
import { describeError } from "../errors";

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
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    "usage: pg2convex <command> [options]",
    "",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `pg2convex <command> --help` for a command's options.",
  ].join("\n");
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(describeError(e));
    process.exitCode = 2;
  },
);
