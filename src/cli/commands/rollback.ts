// `pg2convex rollback --table T`: every read of T goes back to PostgreSQL at once. Never refused.
import { loadConfig } from "../../config/load";
import { createConvexClient } from "../../convex-client";
import { actorOf, requireTable } from "./control-args";

const HELP = `usage: pg2convex rollback --table T [--reason "…"] [connection options as for run]

Sets table T's read flag to 0%: the app's readFrom(T, …) answers "postgres" from the next call on (the
TypeScript helper within a second). Recorded in the table's events with who and why.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config, extra } = loadConfig(argv, process.env, { table: { type: "string" }, reason: { type: "string" } });
  const table = requireTable(extra);
  const client = createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: 2 });
  const r = await client.mutation<{ previous: number }>("rollback", { table, actor: actorOf(), reason: typeof extra.reason === "string" ? extra.reason : "manual rollback" });
  console.log(`${table}: reads 0% from Convex (were ${r.previous}%)`);
  return 0;
}
