// `pg2convex resync --table T`: asks the running `pg2convex run` to copy table T again while it keeps streaming
// (src/resync/). The request is recorded in Convex; `run` polls for requests about once a second and works
// through them one table at a time. `--wait` follows the progress until the copy is done.
import { loadConfig } from "../../config/load";
import { loadTableSet, selectTables } from "../../definitions/select";
import { createMirrorReader } from "../../convex-client";
import { Pg2ConvexError } from "../../errors";
import { requestResync } from "../../resync";
import type { ResyncProgress } from "../../mirror-functions/wire/protocol";

const HELP = `usage: pg2convex resync --table NAME [--wait] [connection options as for run]

Copies one mirrored table again from PostgreSQL into Convex while the running \`pg2convex run\` keeps
streaming every table, this one included (watermark-based incremental snapshot: chunks in primary-key
order, each consistent with the stream). Rows deleted in PostgreSQL disappear from Convex; derived fields
are maintained as for any change. Throttled by --backfill-rows-per-second, chunks of --backfill-chunk-rows
(set on \`run\`). Resumable: a restarted \`run\` goes on from the last chunk it wrote. Progress: \`pg2convex status\`.
  --table NAME  the PostgreSQL table name (as in the definitions)
  --wait        wait until the re-sync is done, printing its progress`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config, extra } = loadConfig(argv, process.env, { table: { type: "string" }, wait: { type: "boolean" } });
  const name = extra.table;
  if (typeof name !== "string" || name === "") throw new Pg2ConvexError("CONFIG_INVALID", "resync needs --table NAME", { fix: "pg2convex resync --table <table>" });
  const { tables } = selectTables(await loadTableSet(config.tablesModule), config.tables);
  const table = tables.find((t) => t.name === name || t.convexName === name);
  if (!table) throw new Pg2ConvexError("CONFIG_INVALID", `table ${JSON.stringify(name)} is not in the mirrored definitions`, { fix: `one of: ${tables.map((t) => t.name).join(", ")}` });
  const reader = createMirrorReader({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: config.retries });
  const { entry, created } = await requestResync(reader, config.slot, table.name);
  console.log(created ? `re-sync of ${table.name} requested; a running \`pg2convex run\` picks it up within seconds` : `a re-sync of ${table.name} is already ${describe(entry)}`);
  if (!extra.wait) return 0;
  let last = "";
  for (;;) {
    const now = (await reader.state(config.slot)).resync?.find((r) => r.table === table.name && r.id === entry.id);
    const line = now ? describe(now) : "gone (replaced by another request)";
    if (line !== last) console.log(`${table.name}: ${line}`);
    last = line;
    if (!now || now.phase === "done") return now ? 0 : 1;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function describe(r: ResyncProgress): string {
  return r.phase === "done" ? `done (${r.rows} rows)` : r.phase === "requested" ? "requested (waiting for `pg2convex run`)" : `${r.phase} (${r.rows} rows so far)`;
}
