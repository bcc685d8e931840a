// Registers the mirror's Convex functions for one table set. All are internal (only the bridge, with a
// deploy key, and the app's own server code can call them) but readFrom, which returns no mirrored data.
import { internalMutationGeneric, internalQueryGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
import type { TableSet } from "../definitions/types";
import { applyBatchHandler } from "./apply/apply-batch";
import { mirrorConfig } from "./config";
import { beginBackfillHandler, finishBackfillHandler, resetMirrorHandler } from "./apply/maintenance";
import { claimMirrorHandler } from "./apply/mirror-identity";
import { claimLeadershipHandler } from "./apply/leader-epoch";
import { applyBatchArgs, applyBatchReturns, mirrorIdentityValidator, opValidator } from "./wire/protocol";
import { countRows, getByKeys, getRows, getState } from "./queries";
import { listRejects, settleRejectsHandler } from "./apply/rejects";
import { parityChanged, parityKeys, parityScan } from "./parity/parity-queries";
import { parityDocChecks, parityFeedFor, parityFeeds } from "./parity/parity-invariants";
import { parityStatus, recordParityRun, recordParityRunArgs } from "./parity/parity-history";
import { parityScanArgs } from "./wire/parity-protocol";
import { cutoverHandler, readFlagsHandler, readFromHandler, rollbackHandler } from "./control/flags";
import { reportHealthHandler } from "./control/health-report";
import { migrationStatusHandler } from "./control/status";
import { parityRunsHandler } from "./control/parity-runs";
import { drillHandler } from "./control/drill";
import { recordChecklistHandler } from "./control/checklist";
import { deadLetterHandler, resolveDeadLetterHandler } from "./control/dead-letters";
import { replayDeadLetterHandler } from "./control/replay";
import { phaseValidator, thresholdsValidator } from "./control/tables";
import { requestResyncHandler } from "./apply/resync-request";
import { clearDriftHandler, driftEntryValidator, listDrift, listDriftEntries, recordDriftHandler } from "./apply/drift";
import { canonicalDefinitions } from "./definitions-hash";

/** Literal the caller of resetMirror must pass, so that no stray call erases a mirror. */
export const RESET_CONFIRMATION = "erase the mirrored tables";

const cursor = v.optional(v.union(v.string(), v.null()));
const key = v.array(v.any());
const after = v.optional(v.union(key, v.null()));
const maxDocs = v.optional(v.number());

export function defineMirrorFunctions(tables: TableSet) {
  const config = mirrorConfig(tables);
  return {
    applyBatch: internalMutationGeneric({
      args: applyBatchArgs,
      returns: applyBatchReturns,
      handler: (ctx, args) => applyBatchHandler(config, ctx, args),
    }),
    // Records the mirror's identity once (before its backfill); refuses another mirror's claim.
    claimMirror: internalMutationGeneric({
      args: { slot: v.string(), mirror: mirrorIdentityValidator, continuing: v.boolean(), epoch: v.optional(v.number()) },
      handler: (ctx, args) => claimMirrorHandler(ctx, args),
    }),
    // Raises the slot's leadership epoch (leader-epoch.ts): writes carrying an older one are refused from now on.
    claimLeadership: internalMutationGeneric({
      args: { slot: v.string(), holder: v.string() },
      handler: (ctx, args) => claimLeadershipHandler(ctx, args),
    }),
    beginBackfill: internalMutationGeneric({
      args: { slot: v.string(), mirrorId: v.optional(v.string()), epoch: v.optional(v.number()), snapshotLsn: v.int64(), tables: v.array(v.string()) },
      handler: (ctx, args) => beginBackfillHandler(ctx, args),
    }),
    finishBackfill: internalMutationGeneric({
      args: { slot: v.string(), mirrorId: v.optional(v.string()), epoch: v.optional(v.number()), commitLsn: v.int64(), endLsn: v.int64() },
      handler: (ctx, args) => finishBackfillHandler(ctx, args),
    }),
    resetMirror: internalMutationGeneric({
      args: { confirm: v.literal(RESET_CONFIRMATION) },
      handler: (ctx) => resetMirrorHandler(config, ctx),
    }),
    getState: internalQueryGeneric({
      args: { slot: v.string() },
      handler: (ctx, args) => getState(ctx, args.slot),
    }),
    countRows: internalQueryGeneric({
      args: { table: v.string(), cursor },
      handler: (ctx, args) => countRows(config, ctx, args.table, args.cursor ?? null),
    }),
    getRows: internalQueryGeneric({
      args: { table: v.string(), cursor, numItems: v.number() },
      handler: (ctx, args) => getRows(config, ctx, args.table, args.cursor ?? null, args.numItems),
    }),
    getByKeys: internalQueryGeneric({
      args: { table: v.string(), keys: v.array(v.array(v.any())) },
      handler: (ctx, args) => getByKeys(config, ctx, args.table, args.keys),
    }),
    listRejects: internalQueryGeneric({
      args: { table: v.optional(v.string()), open: v.optional(v.boolean()), order: v.optional(v.union(v.literal("asc"), v.literal("desc"))), cursor, numItems: v.optional(v.number()) },
      handler: (ctx, args) => listRejects(ctx, { ...args, cursor: args.cursor ?? null, numItems: args.numItems ?? 100 }),
    }),
    // Marks the rejects that a newer stored version superseded (rejects.ts): by id, or page by page.
    settleRejects: internalMutationGeneric({
      args: { ids: v.optional(v.array(v.string())), cursor, numItems: v.optional(v.number()) },
      handler: (ctx, args) => settleRejectsHandler(config, ctx, args),
    }),
    // Parity (pg2convex parity): range hashes, key states, invariants, history. All read-only but the last.
    parityScan: internalQueryGeneric({
      args: parityScanArgs,
      handler: (ctx, args) => parityScan(config, ctx, args),
    }),
    parityKeys: internalQueryGeneric({
      args: { table: v.string(), keys: v.array(key), next: v.optional(v.array(v.union(key, v.null()))) },
      handler: (ctx, args) => parityKeys(config, ctx, args.table, args.keys, args.next),
    }),
    parityChanged: internalQueryGeneric({
      args: { table: v.string(), since: v.int64() },
      handler: (ctx, args) => parityChanged(config, ctx, args.table, args.since),
    }),
    parityDocChecks: internalQueryGeneric({
      args: { table: v.string(), after, keys: v.optional(v.array(key)), maxDocs },
      handler: (ctx, args) => parityDocChecks(config, ctx, { table: args.table, after: args.after ?? null, ...(args.keys ? { keys: args.keys } : {}), maxDocs: args.maxDocs }),
    }),
    parityFeeds: internalQueryGeneric({
      args: { child: v.string(), after, maxDocs },
      handler: (ctx, args) => parityFeeds(config, ctx, { child: args.child, after: args.after ?? null, maxDocs: args.maxDocs }),
    }),
    parityFeedFor: internalQueryGeneric({
      args: { child: v.string(), via: v.string(), parent: v.string(), key: v.any(), cursor, maxDocs },
      handler: (ctx, args) => parityFeedFor(config, ctx, { ...args, cursor: args.cursor ?? null }),
    }),
    recordParityRun: internalMutationGeneric({
      args: recordParityRunArgs,
      handler: (ctx, args) => recordParityRun(ctx, args),
    }),
    parityStatus: internalQueryGeneric({
      args: {},
      handler: (ctx) => parityStatus(ctx),
    }),
    // The migration's control plane (control/): read flags, gates, heartbeat and automatic rollback.
    readFrom: queryGeneric({
      args: { table: v.string(), caller: v.string() },
      handler: (ctx, args) => readFromHandler(ctx, args),
    }),
    readFlags: queryGeneric({
      args: { tables: v.array(v.string()) },
      handler: (ctx, args) => readFlagsHandler(ctx, args),
    }),
    cutover: internalMutationGeneric({
      args: { table: v.string(), percent: v.number(), gateDays: v.number(), actor: v.string(), force: v.optional(v.object({ reason: v.string() })) },
      handler: (ctx, args) => cutoverHandler(ctx, args),
    }),
    rollback: internalMutationGeneric({
      args: { table: v.string(), actor: v.string(), reason: v.string() },
      handler: (ctx, args) => rollbackHandler(ctx, args),
    }),
    reportHealth: internalMutationGeneric({
      args: { slot: v.string(), lagSeconds: v.number(), applyFailures: v.number(), thresholds: thresholdsValidator, outageSeconds: v.optional(v.number()), startedAt: v.optional(v.number()), alertWebhooks: v.optional(v.number()) },
      handler: (ctx, args) => reportHealthHandler(ctx, args),
    }),
    deadLetter: internalQueryGeneric({
      args: { id: v.string() },
      handler: (ctx, args) => deadLetterHandler(ctx, args),
    }),
    resolveDeadLetter: internalMutationGeneric({
      args: { id: v.string(), actor: v.string(), reason: v.string() },
      handler: (ctx, args) => resolveDeadLetterHandler(ctx, args),
    }),
    // `pg2convex drill` (control/drill.ts) and recorded checklist proofs (`pg2convex inventory --record`).
    drill: internalMutationGeneric({
      args: {
        table: v.string(),
        drillId: v.string(),
        actor: v.string(),
        action: v.union(v.literal("start"), v.literal("rollback"), v.literal("restore"), v.literal("finish")),
        percent: v.optional(v.number()),
        gateDays: v.optional(v.number()),
        previous: v.optional(v.object({ percent: v.number(), phase: phaseValidator })),
        passed: v.optional(v.boolean()),
        proof: v.optional(v.string()),
      },
      handler: (ctx, args) => drillHandler(ctx, args),
    }),
    recordChecklist: internalMutationGeneric({
      args: { table: v.string(), item: v.string(), proof: v.string(), actor: v.string() },
      handler: (ctx, args) => recordChecklistHandler(ctx, args),
    }),
    // `pg2convex dlq replay`: a row re-read from PostgreSQL, applied and its entry settled in one transaction.
    replayDeadLetter: internalMutationGeneric({
      args: { slot: v.string(), mirrorId: v.optional(v.string()), id: v.string(), op: opValidator, actor: v.string() },
      handler: (ctx, args) => replayDeadLetterHandler(config, ctx, args as Parameters<typeof replayDeadLetterHandler>[2]),
    }),
    migrationStatus: internalQueryGeneric({
      args: { tables: v.array(v.string()), events: v.optional(v.number()), gateDays: v.optional(v.number()) },
      handler: (ctx, args) => migrationStatusHandler(ctx, args),
    }),
    // The dashboard's parity timeline (control/parity-runs.ts): each table's verdicts in the latest runs.
    parityRuns: internalQueryGeneric({
      args: { tables: v.array(v.string()), limit: v.optional(v.number()) },
      handler: (ctx, args) => parityRunsHandler(ctx, args),
    }),
    // `pg2convex resync --table T` (and `run` for a newly added table): picked up by the running bridge.
    requestResync: internalMutationGeneric({
      args: { slot: v.string(), table: v.string(), id: v.string() },
      handler: (ctx, args) => requestResyncHandler(config, ctx, args),
    }),
    // Schema drift (apply/drift.ts): recorded by the bridge before the transaction it came with is applied.
    recordDrift: internalMutationGeneric({
      args: { entries: v.array(driftEntryValidator) },
      handler: (ctx, args) => recordDriftHandler(ctx, args),
    }),
    listDrift: internalQueryGeneric({
      args: {},
      handler: (ctx) => listDrift(ctx),
    }),
    listDriftEntries: internalQueryGeneric({
      args: { table: v.string(), cursor, numItems: v.optional(v.number()) },
      handler: (ctx, args) => listDriftEntries(ctx, { table: args.table, cursor: args.cursor ?? null, numItems: args.numItems ?? 200 }),
    }),
    // A re-sync of the table (pg2convex resync --table) clears its drift once the table is copied again.
    clearDrift: internalMutationGeneric({
      args: { table: v.string() },
      handler: (ctx, args) => clearDriftHandler(ctx, args),
    }),
    // The definitions this deployment was built with (definitions-hash.ts); `run` refuses a different set.
    definitions: internalQueryGeneric({
      args: {},
      handler: () => canonicalDefinitions(tables),
    }),
  };
}
