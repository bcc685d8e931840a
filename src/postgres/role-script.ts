// The least-privilege role for the mirror, as SQL text for a superuser to run (or for setup to run).
// It grants exactly: LOGIN and REPLICATION (create and read the slot), CONNECT on the database, USAGE on
// the mirrored tables' schemas, SELECT on the mirrored tables (backfill and lookups). Nothing else, and
// it never removes attributes the role already has. Re-running it is harmless: the role is created in a
// DO block only when missing, ALTER ROLE and GRANT are idempotent.
import type { TableSet } from "../definitions/types";
import { qualified, quoteIdent, quoteLiteral, validateRoleName } from "./ident";
import { scramVerifier } from "./scram";

export interface RoleScriptOptions {
  role: string;
  tables: TableSet;
  database: string;
  /**
   * "prompt": a psql `\password` line (psql asks, hashes locally, sends only the verifier).
   * A string: set it as a SCRAM-SHA-256 verifier computed here (non-ASCII: sent for the server to hash).
   * Absent: no password (certificate, peer or an existing password).
   */
  password?: "prompt" | string;
}

export function roleScript(opts: RoleScriptOptions): string {
  validateRoleName(opts.role);
  const role = quoteIdent(opts.role);
  const schemas = [...new Set(opts.tables.map((t) => t.schema))];
  const lines = [
    `-- pg2convex: least-privilege role ${opts.role} for database ${opts.database}.`,
    "-- Run as a superuser (before PostgreSQL 16 only a superuser may grant REPLICATION). Safe to run again.",
    "DO $pg2convex$",
    "BEGIN",
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(opts.role)}) THEN`,
    `    CREATE ROLE ${role} LOGIN REPLICATION;`,
    "  END IF;",
    "END",
    "$pg2convex$;",
    `ALTER ROLE ${role} WITH LOGIN REPLICATION;`,
    ...passwordLines(role, opts.password),
    `GRANT CONNECT ON DATABASE ${quoteIdent(opts.database)} TO ${role};`,
    ...schemas.map((s) => `GRANT USAGE ON SCHEMA ${quoteIdent(s)} TO ${role};`),
  ];
  if (opts.tables.length > 0) {
    lines.push("-- SELECT on exactly the mirrored tables: the backfill reads them, the stream looks rows up.");
    lines.push(`GRANT SELECT ON TABLE ${opts.tables.map((t) => qualified(t)).join(", ")} TO ${role};`);
  }
  return lines.join("\n") + "\n";
}

function passwordLines(role: string, password: string | undefined): string[] {
  if (password === undefined) return ["-- No password set here: authenticate with a certificate or peer, or keep the existing password."];
  if (password === "prompt") return ["-- psql asks for the password and sends only its SCRAM verifier.", `\\password ${role}`];
  const verifier = scramVerifier(password);
  return verifier
    ? ["-- The password as a SCRAM-SHA-256 verifier: the plaintext is not in this script.", `ALTER ROLE ${role} WITH PASSWORD ${quoteLiteral(verifier)};`]
    : [`ALTER ROLE ${role} WITH PASSWORD ${quoteLiteral(password)};`];
}
