// Quoting and name rules for the SQL text pg2convex builds. Invariant: every identifier or literal that
// reaches PostgreSQL from a definition or an option goes through quoteIdent/quoteLiteral, or was
// validated to a character set that needs no quoting (slot and role names).
import { Pg2ConvexError } from "../errors";
import type { TableDef } from "../definitions/types";

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A standard-conforming string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `"schema"."table"`, for SQL text. */
export function qualified(t: Pick<TableDef, "schema" | "name">): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** `schema.table`, for messages. */
export function displayName(t: Pick<TableDef, "schema" | "name">): string {
  return `${t.schema}.${t.name}`;
}

// PostgreSQL's own rule for replication slot names (ReplicationSlotValidateName): the one copy of it, used by
// the configuration schema, the slot administration and the replication source.
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

/** The rule in words, for messages. */
export const SLOT_NAME_RULE = "1-63 lowercase letters, digits and underscores";

export const isValidSlotName = (slot: string): boolean => SLOT_NAME.test(slot);

export function validateSlotName(slot: string): void {
  if (isValidSlotName(slot)) return;
  throw new Pg2ConvexError("CONFIG_INVALID", `invalid replication slot name ${JSON.stringify(slot)}: use ${SLOT_NAME_RULE}`, {
    context: { slot },
    fix: `pass --slot with a name like ${JSON.stringify(suggestSlotName(slot))}`,
  });
}

function suggestSlotName(slot: string): string {
  const s = slot
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 63);
  return s.length > 0 ? s : "pg2convex";
}

// Role names are restricted (not merely quoted) so they can sit inside DO-block literals and psql
// meta-commands without a second quoting layer.
const ROLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function validateRoleName(role: string): void {
  if (ROLE_NAME.test(role)) return;
  throw new Pg2ConvexError("CONFIG_INVALID", `invalid role name ${JSON.stringify(role)}: use a letter or underscore, then letters, digits or underscores (at most 63)`, {
    context: { role },
    fix: "choose a role name such as pg2convex",
  });
}
