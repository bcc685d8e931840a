// Convex tables of the migration's control plane. All writes go through internal mutations (deploy key);
// the one public function, readFrom, answers "convex" or "postgres" and exposes no mirrored data.
import { defineTable } from "convex/server";
import { v } from "convex/values";

export const thresholdsValidator = v.object({ maxLagSeconds: v.number(), staleAfterMs: v.number(), maxDeadLetters: v.number(), maxApplyFailures: v.number() });

export const phaseValidator = v.union(v.literal("backfill"), v.literal("mirror"), v.literal("canary"), v.literal("cutover"), v.literal("decommissioned"));

export const checklistEntry = v.object({ item: v.string(), at: v.number(), proof: v.string() });

export const controlTables = {
  // One per mirrored table: its phase, read flag and checklist.
  pg2c_migration: defineTable({
    table: v.string(),
    phase: phaseValidator,
    /** Share of callers (0–100) whose reads go to Convex while the mirror is fit. */
    percent: v.number(),
    updatedAt: v.number(),
    checklist: v.array(checklistEntry),
  }).index("by_table", ["table"]),
  // What happened to a table's migration, newest last: flag changes, refusals overridden, automatic rollbacks.
  pg2c_migration_event: defineTable({ table: v.string(), at: v.number(), kind: v.string(), actor: v.string(), detail: v.string() }).index("by_table_at", ["table", "at"]),
  // The sidecar's heartbeat, written every few seconds by `pg2convex run` (one document per slot).
  // startedAt/starts: the process's start and how many starts the slot has seen (a resume replays changes);
  // alertWebhooks: how many alert webhooks it runs with (the checklist's "retry/alerts configured").
  pg2c_sidecar: defineTable({
    slot: v.string(),
    at: v.number(),
    lagSeconds: v.number(),
    applyFailures: v.number(),
    thresholds: thresholdsValidator,
    startedAt: v.optional(v.number()),
    starts: v.optional(v.number()),
    alertWebhooks: v.optional(v.number()),
  })
    .index("by_slot", ["slot"])
    .index("by_at", ["at"]),
};
