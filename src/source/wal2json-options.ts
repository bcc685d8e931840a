// Streaming with wal2json format-version 2. Invariants: the start position is always the explicit one we were
// given (never the library's "last received" LSN), and every option the decoder relies on is spelled out instead
// of trusting wal2json's defaults. The command text itself is src/postgres/start-replication.ts.
import type { Client } from "pg";
import { Wal2JsonPlugin } from "pg-logical-replication";
import { Pg2ConvexError } from "../errors";
import type { Lsn } from "../model/lsn";
import { startReplicationCommand } from "../postgres/start-replication";
import type { TableSet } from "../definitions/types";

export interface Wal2JsonStartOptions {
  readonly tables: TableSet;
  readonly numericAsString: boolean;
  /**
   * No add-tables filter. wal2json names the leaf partition a row is stored in and add-tables matches names
   * exactly (or a whole schema), so a partition created while streaming would be filtered out; with a mirrored
   * partitioned table the decoder skips unmirrored tables itself (pipeline/partitions.ts maps leaves to roots).
   */
  readonly allTables?: boolean;
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
  ];
  if (!opts.allTables) options.push(["add-tables", addTablesOption(opts.tables)]);
  if (opts.numericAsString) options.push(["numeric-data-types-as-string", "1"]);
  return options;
}

/** The command that starts streaming `slot` from `from` with the wal2json options above. */
export function startReplicationSql(slot: string, from: Lsn, opts: Wal2JsonStartOptions): string {
  return startReplicationCommand(slot, from, wal2jsonOptions(opts));
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
