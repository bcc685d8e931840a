/**
 * pg2convex's Convex side: the schema of a mirror and the functions the bridge calls.
 *
 * An app adds the mirror to its own `convex/` folder with two edits:
 *
 * ```ts
 * // convex/schema.ts
 * import { defineSchema, defineTable } from "convex/server";
 * import { mirrorTables } from "pg2convex/convex";
 * import { tables } from "../pg2convex.tables"; // the app's TableSet
 * export default defineSchema({ ...mirrorTables(tables), myTable: defineTable({ ... }) });
 *
 * // convex/pg2convex.ts  (the bridge calls "pg2convex:applyBatch"; point its config at this module)
 * import { defineMirrorFunctions } from "pg2convex/convex";
 * import { tables } from "../pg2convex.tables";
 * export const { applyBatch, claimMirror, claimLeadership, beginBackfill, finishBackfill, resetMirror, getState, countRows, getRows, getByKeys, listRejects,
 *   settleRejects, parityScan, parityKeys, parityChanged, parityDocChecks, parityFeeds, parityFeedFor, recordParityRun, parityStatus, requestResync,
 *   recordDrift, listDrift, listDriftEntries, clearDrift, definitions, readFrom, readFlags, cutover, rollback, reportHealth, migrationStatus,
 *   deadLetter, resolveDeadLetter, drill, recordChecklist, replayDeadLetter } =
 *   defineMirrorFunctions(tables);
 * ```
 *
 * Everything here is bundled by Convex: no Node imports, only convex/server, convex/values and pure
 * project modules.
 */
export { mirrorTables, systemTables } from "./schema";
export { defineMirrorFunctions, RESET_CONFIRMATION } from "./functions";
export { estimateOpCost, estimateBatchCost, BATCH_OVERHEAD, type OpCost, type CostOptions } from "./apply/cost";
export { indexFor, SYSTEM_TABLES, PK_INDEX, VERSION_INDEX } from "./names";
export { keyString } from "../model/key";
export { columnValidator, documentFields } from "./validators";
export { applyBatchHandler, type ApplyBatchArgs } from "./apply/apply-batch";
export { MAX_KEYS_PER_CALL, COUNT_PAGE_ROWS } from "./queries";
export * from "./wire/protocol";
export { PARITY_LIMITS, comparedColumns } from "./wire/parity-protocol";
export { encodeValue, encodeRow, fnv1a64, hashRow, hashHex, RangeSum } from "./parity/row-hash";
