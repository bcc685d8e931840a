// The START_REPLICATION command for wal2json format-version 2. Invariants: the start position is always the
// explicit one we were given (never the library's "last received" LSN), and every option the decoder relies on
// is spelled out instead of trusting wal2json's defaults.
import type { Client } from "pg";
import { Wal2JsonPlugin } from "pg-logical-replication";
import { Pg2ConvexError } from "../errors";
import { formatLsn, type Lsn } from "../model/lsn";
import type { TableSet } from "../definitions/types";

export interface Wal2JsonStartOptions {
  readonly tables: TableSet;
  readonly numericAsString: boolean;
}

/**
 * Escapes one identifier for wal2json's add-tables list: wal2json splits the list on commas and whitespace and
 * each entry on the first unescaped period, removing one backslash before any character. Escaping every
 * special character (and backslash itself) keeps any PostgreSQL name intact.
 */
export function escapeWal2JsonIdentifier(name: string): string {
  return name.replace(/[\\,.*'\s]/g, (c) => `\\${c}`);
}

/** `schema.table` entries for every mirrored table, for wal2json's `add-tables`. */
export function addTablesOption(tables: TableSet): string {
  return tables.map((t) => `${escapeWal2JsonIdentifier(t.schema)}.${escapeWal2JsonIdentifier(t.name)}`).join(",");
}

/** The plugin options, in the order they are sent. */
export function wal2jsonOptions(opts: Wal2JsonStartOptions): ReadonlyArray<readonly [string, string]> {
  if (opts.tables.length === 0) {
    throw new Pg2ConvexError("CONFIG_INVALID", "no tables to stream: the table set is empty");
  }
  const options: Array<readonly [string, string]> = [
    ["format-version", "2"],
    // B and C records carry the xid, commit time and commit LSNs the assembler needs.
    ["include-transaction", "1"],
    ["include-xids", "1"],
    ["include-timestamp", "1"],
    ["include-lsn", "1"],
    ["include-schemas", "1"],
    ["include-types", "1"],
    // format-version 2 already defaults to all four; explicit so TRUNCATE can never be dropped silently.
    ["actions", "insert,update,delete,truncate"],
    ["add-tables", addTablesOption(opts.tables)],
  ];
  if (opts.numericAsString) options.push(["numeric-data-types-as-string", "1"]);
  return options;
}

/** Slot names are restricted by PostgreSQL to lower-case letters, digits and underscores. */
export function assertSlotName(slot: string): void {
  if (!/^[a-z0-9_]{1,63}$/.test(slot)) {
    throw new Pg2ConvexError("CONFIG_INVALID", `invalid replication slot name ${JSON.stringify(slot)}`, {
      fix: "use 1-63 characters from a-z, 0-9 and _",
    });
  }
}

/** Replication-protocol string literal: only `'` needs doubling (the walsender grammar has no backslash escapes). */
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function startReplicationSql(slot: string, from: Lsn, opts: Wal2JsonStartOptions): string {
  assertSlotName(slot);
  const options = wal2jsonOptions(opts).map(([k, v]) => `"${k}" ${literal(v)}`);
  return `START_REPLICATION SLOT "${slot}" LOGICAL ${formatLsn(from)} (${options.join(", ")})`;
}

/**
 * wal2json plugin for the replication service. `parse` hands back the raw UTF-8 text (the decoder parses it
 * losslessly) and reports each received message, so the source can tell which keepalives are fully delivered.
 */
export class RawWal2JsonPlugin extends Wal2JsonPlugin {
  constructor(
    private readonly startLsn: Lsn,
    private readonly startOptions: Wal2JsonStartOptions,
    private readonly onReceive: () => void,
  ) {
    super({});
  }

  /** Ignores the library's `lastLsn`: resuming always starts from the explicit position given to stream(). */
  override start(client: Client, slotName: string, _lastLsn: string): Promise<unknown> {
    return client.query(startReplicationSql(slotName, this.startLsn, this.startOptions));
  }

  override parse(buffer: Buffer): string {
    this.onReceive();
    return buffer.toString("utf8");
  }
}
