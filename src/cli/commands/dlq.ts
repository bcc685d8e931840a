// `pg2convex dlq list|show|replay|resolve`: the dead-letter queue (rows recorded in pg2c_reject).
import { loadConfig } from "../../config/load";
import { createConvexClient } from "../../convex-client";
import { Pg2ConvexError } from "../../errors";
import { formatKey } from "../../model/key";
import { formatLsn } from "../../model/lsn";
import { actorOf } from "./control-args";
import { replayMain } from "./dlq-replay";

const HELP = `usage: pg2convex dlq list [--table T] [--all] [--json]
       pg2convex dlq show ID [--json]
       pg2convex dlq replay ID | --table T [--by WHO] [--wait SECONDS] [--json]
       pg2convex dlq resolve ID --reason "…"
       [connection options as for run]

The dead-letter queue: rows the mirror does not hold as PostgreSQL has them (too large for a Convex document,
undecodable, a partial update with no row to merge into, …), each with table, key, LSN, code and reason. An
entry resolves by itself when a newer version of its row is applied (fix the row in PostgreSQL, or let the
application's next write of it do so). list shows the unresolved ones (--all: every entry); resolve marks one
resolved by hand, recording who and why, without touching the row (the mirror keeps the difference).
replay re-reads the row from PostgreSQL by key (a row gone is a delete) and applies its current state at its
current version, safe while \`run\` streams (a newer change still wins); the entry is then resolved, recording
"replay", who (--by, default the OS user) and the version. A row that still cannot be stored stays unresolved
and the command exits 1 naming table, key, column and reason. --wait: how long to wait for PostgreSQL
transactions open at the read that may have written the row (default 30).
Unresolved dead letters keep /healthz degraded and reads of their table on PostgreSQL.`;

interface Entry {
  _id: string;
  table: string;
  key: unknown[];
  ver: bigint;
  code: string;
  reason: string;
  at: number;
  resolvedAt?: number;
  resolvedVia?: string;
  resolvedBy?: bigint;
  resolvedNote?: string;
}

const line = (e: Entry) => `${e._id}  ${new Date(e.at).toISOString()}  ${e.table} ${formatKey(e.key)}  lsn ${formatLsn(e.ver)}  ${e.code}${e.resolvedAt ? `  (resolved ${e.resolvedVia})` : ""}`;
// Versions as LSN text (JSON has no bigint): the entry's own, and the one that resolved it.
const plain = (e: Entry) => ({ ...e, key: formatKey(e.key), lsn: formatLsn(e.ver), ver: undefined, ...(e.resolvedBy !== undefined ? { resolvedBy: formatLsn(e.resolvedBy) } : {}) });

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h") || argv.length === 0) {
    console.log(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const { config, extra, positionals } = loadConfig(argv, process.env, { table: { type: "string" }, all: { type: "boolean" }, json: { type: "boolean" }, reason: { type: "string" }, by: { type: "string" }, wait: { type: "string" } });
  const [verb, id] = positionals;
  const client = createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: 2 });
  const needId = () => {
    if (!id) throw new Pg2ConvexError("CONFIG_INVALID", `dlq ${verb} needs the entry's ID`, { fix: "pg2convex dlq list shows the IDs" });
    return id;
  };
  if (verb === "list") {
    const out: Entry[] = [];
    for (let cursor: string | null = null; ;) {
      const page: { page: Entry[]; continueCursor: string; isDone: boolean } = await client.query("listRejects", { open: extra.all !== true, order: "desc", cursor, numItems: 500, ...(typeof extra.table === "string" ? { table: extra.table } : {}) });
      out.push(...page.page);
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
    if (extra.json) console.log(JSON.stringify(out.map(plain), null, 2));
    else console.log(out.length ? out.map(line).join("\n") : extra.all ? "dead letters: none" : "dead letters: none unresolved");
    return 0;
  }
  if (verb === "show") {
    const e = await client.query<Entry | null>("deadLetter", { id: needId() });
    if (!e) throw new Pg2ConvexError("CONFIG_INVALID", `no dead letter with id ${id}`, { fix: "pg2convex dlq list --all shows the IDs" });
    if (extra.json) console.log(JSON.stringify(plain(e), null, 2));
    else
      console.log(
        [
          line(e),
          `reason: ${e.reason}`,
          ...(e.resolvedAt ? [`resolved ${new Date(e.resolvedAt).toISOString()} via ${e.resolvedVia}${e.resolvedBy !== undefined ? ` at ${formatLsn(e.resolvedBy)}` : ""}${e.resolvedNote ? `: ${e.resolvedNote}` : ""}`] : []),
        ].join("\n"),
      );
    return 0;
  }
  if (verb === "replay") {
    const waitSeconds = Number(extra.wait ?? 30);
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new Pg2ConvexError("CONFIG_INVALID", `--wait ${String(extra.wait)} is not a number of seconds`, { fix: "e.g. --wait 30" });
    return replayMain(config, { id, table: typeof extra.table === "string" ? extra.table : undefined, by: typeof extra.by === "string" ? extra.by : actorOf(), waitSeconds, json: extra.json === true });
  }
  if (verb === "resolve") {
    if (typeof extra.reason !== "string") throw new Pg2ConvexError("CONFIG_INVALID", 'dlq resolve needs --reason "…" (it is recorded)', { fix: 'add --reason "why the difference is accepted"' });
    const r = await client.mutation<{ table: string; alreadyResolved: boolean }>("resolveDeadLetter", { id: needId(), actor: actorOf(), reason: extra.reason });
    console.log(r.alreadyResolved ? `${id}: already resolved` : `${id} (${r.table}): resolved by hand`);
    return 0;
  }
  throw new Pg2ConvexError("CONFIG_INVALID", `unknown dlq command ${verb ?? ""}`.trim(), { fix: "use dlq list, dlq show ID, dlq replay ID|--table T or dlq resolve ID --reason …" });
}
