// Which PostgreSQL a connection reaches: the cluster's system identifier and the database. LSNs only
// compare within one system (a restored or re-initialised cluster has another identifier and an unrelated
// WAL position), and slots belong to one database, so the mirror records both and checks them at start.
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import { connectPg } from "./connect";
import { errorMessage, sqlState } from "./pg-error";

export interface PgSystemIdentity {
  /** pg_control_system().system_identifier as decimal text (a 64-bit number). */
  readonly systemId: string;
  readonly database: string;
}

export async function readSystemIdentity(client: pg.ClientBase, connectionString: string): Promise<PgSystemIdentity> {
  try {
    const { rows } = await client.query("SELECT current_database() AS db");
    const database = rows[0].db as string;
    try {
      const r = await client.query("SELECT system_identifier::text AS id FROM pg_control_system()");
      return { systemId: r.rows[0].id as string, database };
    } catch (e) {
      if (sqlState(e) !== "42501") throw e;
    }
    // EXECUTE on pg_control_system() revoked (some hosted servers): IDENTIFY_SYSTEM needs only REPLICATION,
    // which the bridge's role has anyway.
    const repl = await connectPg(connectionString, { replication: "database", applicationName: "pg2convex-identify" });
    try {
      return { systemId: String((await repl.query("IDENTIFY_SYSTEM")).rows[0].systemid), database };
    } finally {
      await repl.end().catch(() => undefined);
    }
  } catch (e) {
    if (e instanceof Pg2ConvexError) throw e;
    throw new Pg2ConvexError("PG_CHECK_FAILED", `cannot read the PostgreSQL system identifier: ${errorMessage(e)}`, {
      context: { sqlState: sqlState(e) },
      fix: "grant the role EXECUTE on pg_control_system() or REPLICATION",
      cause: e,
    });
  }
}
