// `pg2convex dlq replay ID | --table T`: re-reads each entry's row from PostgreSQL by key and applies its
// current state at its current version (src/dlq/). Safe while `pg2convex run` streams: see read-current.ts.
// Exit 0 when every entry was replayed (or was already resolved), 1 when any row still cannot be stored.
import type { Config } from "../../config/schema";
import { createMirrorReader } from "../../convex-client";
import { buildGraph } from "../../definitions/graph";
import { loadTableSet, selectTables } from "../../definitions/select";
import { replayEntry, type DeadLetter, type ReplayReport } from "../../dlq/replay";
import { Pg2ConvexError } from "../../errors";
import { connectPg } from "../../postgres";

export interface ReplayArgs {
  id?: string | undefined;
  table?: string | undefined;
  by: string;
  waitSeconds: number;
  json: boolean;
}

export async function replayMain(config: Config, args: ReplayArgs): Promise<number> {
  if (!args.id === !args.table) throw new Pg2ConvexError("CONFIG_INVALID", "dlq replay needs an entry ID or --table T (not both)", { fix: "pg2convex dlq list shows the IDs" });
  const { tables } = selectTables(await loadTableSet(config.tablesModule), config.tables);
  const reader = createMirrorReader({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: config.retries });
  const entries = args.id ? [await one(reader.client, args.id)] : await unresolved(reader.client, args.table!);
  const mirrorId = (await reader.state(config.slot)).mirror?.mirrorId;
  const pg = await connectPg(config.databaseUrl, { applicationName: "pg2convex dlq replay" });
  const reports: ReplayReport[] = [];
  try {
    const deps = { pg, client: reader.client, tables, graph: buildGraph(tables), slot: config.slot, mirrorId, actor: args.by, waitMs: args.waitSeconds * 1000 };
    for (const e of entries) reports.push(await replayEntry(deps, e));
  } finally {
    await pg.end().catch(() => undefined);
  }
  if (args.json) console.log(JSON.stringify(reports, null, 2));
  else console.log(reports.length ? reports.map(describe).join("\n") : `dead letters of ${args.table}: none unresolved`);
  return reports.every((r) => r.ok) ? 0 : 1;
}

function describe(r: ReplayReport): string {
  const head = `${r.id} (${r.table} ${r.key})`;
  if (!r.ok) return `${head}: still cannot be stored, left unresolved: [${r.code}] ${r.column && !r.reason.includes(`column "${r.column}"`) ? `column ${r.column}: ` : ""}${r.reason}`;
  if (r.result === "already-resolved") return `${head}: already resolved, nothing replayed`;
  const what = r.deleted ? "row gone from PostgreSQL, applied as a delete" : "row applied";
  const done = r.result.outcome === "skipped" ? "skipped: Convex already holds a newer version" : what;
  const entry = r.result.entry === "replay" ? `resolved by the replay at ${r.ver}` : r.result.entry === "open" ? "still open" : `resolved by a newer ${r.result.entry}`;
  return `${head}: ${done}; ${entry}`;
}

async function one(client: import("../../convex-client").ConvexClient, id: string): Promise<DeadLetter> {
  const e = await client.query<DeadLetter | null>("deadLetter", { id });
  if (!e) throw new Pg2ConvexError("CONFIG_INVALID", `no dead letter with id ${id}`, { fix: "pg2convex dlq list --all shows the IDs" });
  return e;
}

async function unresolved(client: import("../../convex-client").ConvexClient, table: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (let cursor: string | null = null; ;) {
    const page: { page: DeadLetter[]; continueCursor: string; isDone: boolean } = await client.query("listRejects", { open: true, table, cursor, numItems: 500 });
    out.push(...page.page);
    if (page.isDone) return out;
    cursor = page.continueCursor;
  }
}
