// Everything that talks to PostgreSQL; stages call these and write no SQL themselves.
//
//   connectPg(connectionString, opts?): Promise<pg.Client>          a SQL (or replication-mode) session with SESSION_SETTINGS;
//                                                                    always an 'error' listener (opts.onLost: typed loss)
//   SESSION_SETTINGS, replicationClientConfig(connectionString)      UTC, ISO dates, hex bytea, exact floats: every session,
//                                                                    SQL (SET) and walsender (startup options) alike
//   isConnectionLoss(e) / connectionLostError(e)                     a session that ended under us → PG_CONNECTION_LOST
//   errorCode(e) / sqlState(e) / errorMessage(e)                     reading driver errors (pg-error.ts)
//   validateSlotName / isValidSlotName / SLOT_NAME_RULE              PostgreSQL's slot-name rule, the only copy
//   quoteIdent, quoteLiteral, qualified, displayName, validateRoleName   names and quoting
//   runChecks(client, tables, opts?): Promise<CheckReport>           every catalog and server check, all results together
//   assertChecks(report): void                                       one PG_CHECK_FAILED listing every failure + fix
//   roleScript({ role, tables, database, password? }): string        least-privilege role, idempotent SQL
//   createSlotWithSnapshot(connectionString, slot): Promise<ExportedSlot>   slot + exported snapshot, held until release()
//   dropSlot(client, slot, opts?): Promise<void>                     terminates the slot's walsender first; SLOT_MISSING if absent
//   slotInfo(client, slot): Promise<SlotInfo>                        existence, activity, LSNs (bigint), lag and retained WAL
//   assertSlotAbsent(client, slot) / requireSlot(client, slot)       SLOT_EXISTS before setup / SLOT_MISSING at start-up
//   startReplicationCommand(slot, from, options): string            START_REPLICATION … LOGICAL <lsn> (options)
//   ensure/peek/advance/dropValuesSlot (values-slot.ts)            the test_decoding slot telling NaN/±Infinity from NULL
//   probeNumericAsString(client) (numeric-probe.ts)                  whether wal2json takes numeric-data-types-as-string
//   readSystemIdentity(client, connectionString)                     system identifier + database (mirror identity)
//   keyset(table, opts?) / keyColumnTypes(client, table)             SELECT of rows ordered and paged by the key
//   readText(client, sql, params) / RAW_TEXT                         ...run so every value is its output function's text
//   estimateRows / plannerRowEstimate / countRows                    table sizes
//   beginSnapshotRead(client, snapshot?) / endSnapshotRead(client)   one read-only snapshot across many statements
//   emitWatermark / readChunk (resync-read.ts)                       re-sync watermarks and chunk reads in one snapshot
//
// Errors are Pg2ConvexError: PG_CONNECT, PG_CONNECTION_LOST (retryable), PG_CHECK_FAILED, SLOT_MISSING, SLOT_EXISTS, CONFIG_INVALID (bad
// slot or role name), each with a one-line fix. No message carries a password or a connection string.
export { connectPg, type ConnectOptions } from "./connect";
export { replicationClientConfig, SESSION_SETTINGS } from "./session";
export { errorCode, errorMessage, sqlState } from "./pg-error";
export { CONNECTION_LOST_FIX, connectionLostError, isConnectionLoss } from "./connection-lost";
export { runChecks, type CheckOptions } from "./checks/run";
export { assertChecks, formatResult, type CheckLevel, type CheckReport, type CheckResult } from "./checks/report";
export { roleScript, type RoleScriptOptions } from "./role-script";
export { createSlotWithSnapshot, type ExportedSlot } from "./slot-create";
export { assertSlotAbsent, dropSlot, requireSlot, slotInfo, type DropSlotOptions, type SlotInfo } from "./slot-admin";
export { readSystemIdentity, type PgSystemIdentity } from "./system-identity";
export { displayName, isValidSlotName, qualified, quoteIdent, quoteLiteral, SLOT_NAME_RULE, validateRoleName, validateSlotName } from "./ident";
export { startReplicationCommand } from "./start-replication";
export { keyColumnTypes, keyset, KEYSET_ALIAS, RAW_TEXT, readText, type Keyset, type KeysetOptions } from "./keyset";
export { countRows, estimateRows, plannerRowEstimate } from "./table-size";
export { beginSnapshotRead, endSnapshotRead } from "./snapshot-read";
export { emitWatermark, parseXip, readChunk, type ChunkRead } from "./resync-read";
