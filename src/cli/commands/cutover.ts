// `pg2convex cutover --table T --percent N`: moves a share of T's reads to Convex, if the gates hold.
import { loadConfig } from "../../config/load";
import { createConvexClient } from "../../convex-client";
import { Pg2ConvexError } from "../../errors";
import { controlRefusal, actorOf, requireTable } from "./control-args";

const HELP = `usage: pg2convex cutover --table T --percent N [--force --reason "…"] [connection options as for run]

Moves N% of the callers' reads of table T to Convex (stable per caller: the app asks readFrom(T, caller)).
Raising the share is refused, naming each unmet gate, unless all hold:
  parity green for --gate-days (PG2CONVEX_GATE_DAYS, default 7) days, with no drift since;
  the sidecar's heartbeat in Convex fresh (--stale-after, default 15s) and its lag under --max-lag (default 30s);
  no unresolved dead letters for T (--max-dead-letters, default 0); the table's backfill finished.
--force --reason "…" overrides the gates and records who overrode what, and why, in the table's events.
Lowering the share is never refused. Exit codes: 0 done, 1 refused, 2 could not run.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config, extra } = loadConfig(argv, process.env, { table: { type: "string" }, percent: { type: "string" }, force: { type: "boolean" }, reason: { type: "string" } });
  const table = requireTable(extra);
  const percent = Number(extra.percent);
  if (typeof extra.percent !== "string" || !Number.isInteger(percent) || percent < 0 || percent > 100)
    throw new Pg2ConvexError("CONFIG_INVALID", "--percent must be an integer from 0 to 100", { fix: "e.g. pg2convex cutover --table story --percent 5" });
  if (extra.force && typeof extra.reason !== "string") throw new Pg2ConvexError("CONFIG_INVALID", '--force needs --reason "…" (it is recorded with the override)', { fix: 'add --reason "why the gates are overridden"' });
  const client = createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: 2 });
  try {
    const r = await client.mutation<{ percent: number; phase: string; overridden: string[] }>("cutover", {
      table,
      percent,
      gateDays: config.gateDays,
      actor: actorOf(),
      ...(extra.force ? { force: { reason: extra.reason as string } } : {}),
    });
    console.log(`${table}: reads ${r.percent}% from Convex (phase ${r.phase})${r.overridden.length ? `; FORCED past: ${r.overridden.join("; ")}` : ""}`);
    return 0;
  } catch (e) {
    const refusal = controlRefusal(e);
    if (!refusal) throw e;
    console.error(`pg2convex cutover: ${refusal.message}:\n${refusal.unmet.map((u) => `  - ${u}`).join("\n")}\nfix: wait until the gates hold (pg2convex status shows them), or --force --reason "…"`);
    return 1;
  }
}
