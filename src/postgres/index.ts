// The PostgreSQL side of pg2convex (`pg2convex setup` / `teardown` and the start-up checks):
//
//   connectPg(connectionString, opts?): Promise<pg.Client>          session: UTC, ISO dates, hex bytea, exact floats;
//                                                                    always an 'error' listener (opts.onLost: typed loss)
//   isConnectionLoss(e) / connectionLostError(e)                     a session that ended under us → PG_CONNECTION_LOST
//   runChecks(client, tables, opts?): Promise<CheckReport>           every check, all results together
//   assertChecks(report): void                                       one PG_CHECK_FAILED listing every failure + fix
//   roleScript({ role, tables, database, password? }): string        least-privilege role, idempotent SQL
//   createSlotWithSnapshot(connectionString, slot): Promise<ExportedSlot>   slot + exported snapshot, held until release()
//   dropSlot(client, slot, opts?): Promise<void>                     terminates the slot's walsender first; SLOT_MISSING if absent
//   slotInfo(client, slot): Promise<SlotInfo>                        existence, activity, LSNs (bigint), lag and retained WAL
//   assertSlotAbsent(client, slot) / requireSlot(client, slot)       SLOT_EXISTS before setup / SLOT_MISSING at start-up
//   readSystemIdentity(client, connectionString)                     system identifier + database (mirror identity)
//   validateSlotName(slot), quoteIdent, quoteLiteral, qualified      names and quoting
//
// Errors are Pg2ConvexError: PG_CONNECT, PG_CONNECTION_LOST (retryable), PG_CHECK_FAILED, SLOT_MISSING, SLOT_EXISTS, CONFIG_INVALID (bad
// slot or role name), each with a one-line fix. No message carries a password or a connection string.
export { connectPg, SESSION_SETTINGS, type ConnectOptions } from "./connect";
export { CONNECTION_LOST_FIX, connectionLostError, isConnectionLoss } from "./connection-lost";
export { runChecks, type CheckOptions } from "./checks/run";
export { assertChecks, formatResult, type CheckLevel, type CheckReport, type CheckResult } from "./checks/report";
export { roleScript, type RoleScriptOptions } from "./role-script";
export { createSlotWithSnapshot, type ExportedSlot } from "./slot-create";
export { assertSlotAbsent, dropSlot, requireSlot, slotInfo, type DropSlotOptions, type SlotInfo } from "./slot-admin";
export { readSystemIdentity, type PgSystemIdentity } from "./system-identity";
export { qualified, quoteIdent, quoteLiteral, validateRoleName, validateSlotName } from "./ident";
