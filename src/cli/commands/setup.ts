// `pg2convex setup`: checks PostgreSQL for everything the mirror needs, reporting every problem with its fix.
import { loadConfig } from "../../config/load";
import { loadTableSet, selectTables } from "../../definitions/select";
import { buildGraph } from "../../definitions/graph";
import { connectPg, runChecks, roleScript, createSlotWithSnapshot, formatResult } from "../../postgres";
import { formatLsn } from "../../model/lsn";

const HELP = `usage: pg2convex setup [--database-url URL] [--slot NAME] [--tables a,b] [--tables-module PATH]
                       [--role-sql ROLE [--role-password prompt|env]] [--create-slot]

Checks wal_level, wal2json, replication privileges, primary keys / REPLICA IDENTITY, and that the table
definitions agree with the database (columns, types, foreign keys). Exits 1 listing every failed check.
  --role-sql ROLE   print a least-privilege role script for ROLE (run it as a superuser) and exit
  --role-password prompt   the script sets the role's password with psql's \\password (psql asks for it
                    and sends only its SCRAM verifier)
  --role-password env      the script sets the password in $PG2CONVEX_ROLE_PASSWORD as a SCRAM-SHA-256
                    verifier (the plaintext is not in the script; without this option no password is set)
  --create-slot     also create the replication slot now, so WAL is retained from this moment
                    (otherwise \`run\` creates it at first start, with an exported snapshot for the backfill)`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config, extra } = loadConfig(argv, process.env, { "role-sql": { type: "string" }, "role-password": { type: "string" }, "create-slot": { type: "boolean" } }, { convex: false });
  const { tables } = selectTables(await loadTableSet(config.tablesModule), config.tables);
  buildGraph(tables); // acyclic, well-formed definitions
  if (typeof extra["role-sql"] === "string") {
    const database = new URL(config.databaseUrl).pathname.replace(/^\//, "") || "postgres";
    const how = extra["role-password"];
    if (how !== undefined && how !== "prompt" && how !== "env") {
      console.error('pg2convex setup: --role-password takes "prompt" or "env" (never the password itself: it would stay in the shell history)');
      return 2;
    }
    const password = how === "env" ? process.env.PG2CONVEX_ROLE_PASSWORD : how;
    if (how === "env" && !password) {
      console.error("pg2convex setup: --role-password env needs PG2CONVEX_ROLE_PASSWORD set to the password");
      return 2;
    }
    console.log(roleScript({ role: extra["role-sql"], tables, database, ...(password ? { password } : {}) }));
    return 0;
  }
  const client = await connectPg(config.databaseUrl);
  try {
    const report = await runChecks(client, tables);
    for (const c of report.results) console.log(formatResult(c));
    if (!report.ok) return 1;
    if (extra["create-slot"]) {
      const slot = await createSlotWithSnapshot(config.databaseUrl, config.slot);
      await slot.release();
      console.log(`created slot ${config.slot} at ${formatLsn(slot.consistentPoint)} (WAL is retained from here until the mirror confirms it)`);
    }
    console.log("PostgreSQL is ready for pg2convex.");
    return 0;
  } finally {
    await client.end();
  }
}
