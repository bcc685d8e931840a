// `pg2convex inventory [paths…]`: every SQL site with file:line, statement kind and the tables it
// reads and writes, grouped by table, as markdown (default) or JSON. Exit 0, or 2 when the tool failed.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseCommandArgs, processIo, runCommand, SHARED_ARGS, SHARED_USAGE, sharedFlags, splitList, type CommandIo } from "../../lint/cli-options";
import { engineConfig, InventoryOptionsSchema, parseOptions, readConfigFile } from "../../lint/config";
import { TableNames } from "../../lint/deny";
import { LintConfigError } from "../../lint/errors";
import { parseQualifiedName } from "../../lint/identifiers";
import { buildInventory } from "../../lint/inventory";
import { formatInventoryJson, formatInventoryMarkdown } from "../../lint/report-inventory";
import { lintPaths } from "../../lint/run";

const USAGE = `usage: pg2convex inventory [paths…] [options]   (default path: src)

Lists every SQL site with file:line, statement kind and the tables it reads and writes, grouped by table.
  --tables NAMES          only these tables (table or schema.table; unqualified names match any
                          schema on the search path)
  --format FORMAT         markdown | json (default: markdown)
  --record                record the checklist item "PostgreSQL write path removed" in Convex for each
                          --tables table with no write site (and no unresolved site) left; exit 1 otherwise.
                          Uses CONVEX_URL and CONVEX_ADMIN_KEY from the environment
${SHARED_USAGE}`;

const ARGS = { ...SHARED_ARGS, tables: { type: "string", multiple: true }, record: { type: "boolean" } } as const;

export async function main(argv: string[]): Promise<number> {
  return runInventory(argv, processIo());
}

export async function runInventory(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(io, "inventory", async () => {
    const { values, positionals } = parseCommandArgs(argv, ARGS);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const file = readConfigFile(values.config, io.cwd);
    const flags = { ...sharedFlags(values, positionals), tables: splitList(values.tables) };
    const opts = parseOptions(InventoryOptionsSchema, file, flags, values.config ?? "flags and pg2convex-lint.json");
    const config = engineConfig(opts);
    const run = await lintPaths(opts.paths, opts.exclude, config, io.cwd);
    const filter = opts.tables
      ? new TableNames(
          opts.tables.map((t) => (parseQualifiedName(t) as { ok: true; value: { schema?: string; name: string } }).value),
          config.searchPath,
        )
      : undefined;
    const inv = buildInventory(run, filter);
    if (values.record) {
      if (!opts.tables?.length) throw new LintConfigError("--record needs --tables", { fix: "name the tables whose PostgreSQL write path is gone, e.g. --record --tables story" });
      const { recordWritesRemoved } = await import("./inventory-record");
      return await recordWritesRemoved(inv, opts.tables, opts.paths, io.env, io.stdout, io.stderr);
    }
    const text = opts.format === "json" ? `${formatInventoryJson(inv)}\n` : formatInventoryMarkdown(inv);
    if (!opts.output) {
      io.stdout(text);
      return 0;
    }
    try {
      writeFileSync(resolve(io.cwd, opts.output), text);
    } catch (e) {
      throw new LintConfigError(`inventory file ${opts.output} cannot be written`, { context: { path: opts.output }, cause: e });
    }
    io.stderr(`pg2convex inventory: ${inv.summary.sites} SQL sites, ${inv.summary.tables} tables → ${opts.output}\n`);
    return 0;
  });
}
