// The Convex tables of a mirror: one per mirrored PostgreSQL table plus pg2convex's system tables.
// Spread the result into defineSchema({...}) next to the app's own tables.
import { defineTable, type TableDefinition } from "convex/server";
import { v } from "convex/values";
import { VERSION_FIELD, type TableSet } from "../definitions/types";
import { backfillProgressValidator, leaderValidator, mirrorIdentityValidator, resyncProgressValidator } from "./wire/protocol";
import { mirrorConfig } from "./config";
import { indexFor, PK_INDEX, SYSTEM_TABLES, VERSION_INDEX } from "./names";
import { documentFields } from "./validators";
import { parityRunTable, parityTableState } from "./parity/parity-history";
import { controlTables } from "./control/tables";
import { driftTable } from "./apply/drift";

/** Where applyBatch resumes a batch it had to cut short (same batchId ⇒ skip ops before opIndex). */
export const resumeValidator = v.object({ batchId: v.string(), opIndex: v.number() });

export const systemTables = {
  [SYSTEM_TABLES.checkpoint]: defineTable({
    slot: v.string(),
    commitLsn: v.optional(v.int64()),
    endLsn: v.optional(v.int64()),
    phase: v.union(v.literal("new"), v.literal("backfill"), v.literal("stream")),
    snapshotLsn: v.optional(v.int64()),
    backfill: v.array(backfillProgressValidator),
    updatedAt: v.number(),
    lastBatchId: v.string(),
    resume: v.optional(resumeValidator),
    mirror: v.optional(mirrorIdentityValidator),
    resync: v.optional(v.array(resyncProgressValidator)),
    leader: v.optional(leaderValidator),
  }).index("by_slot", ["slot"]),
  // A deleted row's last version, so an older upsert replayed later cannot resurrect it.
  [SYSTEM_TABLES.tombstone]: defineTable({ table: v.string(), key: v.string(), ver: v.int64() }).index("by_table_key", ["table", "key"]).index("by_table_ver", ["table", "ver"]),
  // Rows older than truncatedAt are gone for good: upserts and deletes below it are ignored.
  [SYSTEM_TABLES.tableState]: defineTable({ table: v.string(), truncatedAt: v.int64() }).index("by_table", ["table"]),
  // A row the mirror does not hold as PostgreSQL has it (rejects.ts): open until a newer version of the same
  // key is stored, then settled with resolvedAt/resolvedBy (the version that superseded it).
  [SYSTEM_TABLES.reject]: defineTable({
    table: v.string(),
    key: v.array(v.any()),
    keyString: v.string(),
    ver: v.int64(),
    code: v.string(),
    reason: v.string(),
    at: v.number(),
    /** The batch that recorded it (absent on rejects recorded before batch ids were kept). */
    batchId: v.optional(v.string()),
    resolvedAt: v.optional(v.number()),
    resolvedBy: v.optional(v.int64()),
    resolvedVia: v.optional(v.union(v.literal("upsert"), v.literal("delete"), v.literal("truncate"), v.literal("manual"), v.literal("replay"))),
    /** For a manual resolution (`pg2convex dlq resolve`): who and why; for a replay (`dlq replay`): who and the version applied. */
    resolvedNote: v.optional(v.string()),
  })
    .index("by_table_key", ["table", "keyString", "ver"])
    .index("by_open", ["resolvedAt", "at"])
    .index("by_batch", ["batchId"]),
  // The columns of a row that moved to another key, kept until the move's upsert takes them (carry.ts).
  [SYSTEM_TABLES.carry]: defineTable({ table: v.string(), key: v.string(), from: v.string(), fields: v.any() }).index("by_table_key", ["table", "key"]),
  [SYSTEM_TABLES.parityRun]: defineTable(parityRunTable).index("by_run", ["runId"]).index("by_started", ["startedAt"]),
  [SYSTEM_TABLES.parityTable]: defineTable(parityTableState).index("by_table", ["table"]),
  ...controlTables,
  [SYSTEM_TABLES.drift]: defineTable(driftTable).index("by_entry", ["table", "column", "keyString"]),
};

/** Convex table definitions for `tables`, keyed by Convex name, plus the system tables. */
export function mirrorTables(tables: TableSet): Record<string, TableDefinition> {
  const config = mirrorConfig(tables);
  const out: Record<string, TableDefinition> = { ...systemTables };
  for (const def of tables) {
    let table = defineTable(documentFields(config, def))
      .index(PK_INDEX, [...def.primaryKey] as [string, ...string[]])
      .index(VERSION_INDEX, [VERSION_FIELD]);
    const seen = new Set([PK_INDEX, VERSION_INDEX]);
    for (const r of def.references) {
      const name = indexFor(def, r.column);
      if (seen.has(name)) continue;
      seen.add(name);
      table = table.index(name, [r.column]);
    }
    out[def.convexName] = table;
  }
  return out;
}
