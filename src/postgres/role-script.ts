// The least-privilege role for the mirror, as SQL text for a superuser to run (or for setup to run).
// It grants exactly: LOGIN and REPLICATION (create and read the slot), CONNECT on the database, USAGE on
// the mirrored tables' schemas, SELECT on the mirrored tables (backfill and lookups). Nothing else, and
// it never removes attributes the role already has. Re-running it is harmless: the role is created in a
// DO block only when missing, ALTER ROLE and GRANT are idempotent. The script's text is sql/role.sql; this
// file only fills its {{placeholders}}, each with quoted identifiers or literals (never raw input).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
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

const TEMPLATE = readFileSync(fileURLToPath(new URL("../../sql/role.sql", import.meta.url)), "utf8");

export function roleScript(opts: RoleScriptOptions): string {
  validateRoleName(opts.role);
  const role = quoteIdent(opts.role);
  const schemas = [...new Set(opts.tables.map((t) => t.schema))];
  const tableGrants = opts.tables.length === 0 ? [] : ["-- SELECT on exactly the mirrored tables: the backfill reads them, the stream looks rows up.", `GRANT SELECT ON TABLE ${opts.tables.map((t) => qualified(t)).join(", ")} TO ${role};`];
  const values: Record<string, string[]> = {
    role_name: [opts.role],
    database_name: [opts.database],
    role_literal: [quoteLiteral(opts.role)],
    role: [role],
    database: [quoteIdent(opts.database)],
    password: passwordLines(role, opts.password),
    schema_grants: schemas.map((s) => `GRANT USAGE ON SCHEMA ${quoteIdent(s)} TO ${role};`),
    table_grants: tableGrants,
  };
  // A placeholder alone on its line expands to its lines (none: the line goes); inline ones to their one value.
  return TEMPLATE.split("\n")
    .flatMap((line) => {
      const whole = /^\{\{(\w+)\}\}$/.exec(line);
      if (whole) return values[whole[1]!]!;
      return [line.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => values[name]![0]!)];
    })
    .join("\n");
}

function passwordLines(role: string, password: string | undefined): string[] {
  if (password === undefined) return ["-- No password set here: authenticate with a certificate or peer, or keep the existing password."];
  if (password === "prompt") return ["-- psql asks for the password and sends only its SCRAM verifier.", `\\password ${role}`];
  const verifier = scramVerifier(password);
  return verifier ? ["-- The password as a SCRAM-SHA-256 verifier: the plaintext is not in this script.", `ALTER ROLE ${role} WITH PASSWORD ${quoteLiteral(verifier)};`] : [`ALTER ROLE ${role} WITH PASSWORD ${quoteLiteral(password)};`];
}
