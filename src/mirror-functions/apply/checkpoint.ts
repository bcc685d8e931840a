// Reading and writing a slot's pg2c_checkpoint document (one per replication slot).
import type { GenericDatabaseReader, GenericDatabaseWriter, GenericDataModel } from "convex/server";
import type { GenericId } from "convex/values";
import { emptyCheckpoint, type CheckpointFields } from "./checkpoint-rules";
import { SYSTEM_TABLES } from "../names";

export interface StoredCheckpoint {
  id: GenericId<any> | null;
  fields: CheckpointFields;
}

export async function loadCheckpoint(db: GenericDatabaseReader<GenericDataModel>, slot: string): Promise<StoredCheckpoint> {
  const doc = await db
    .query(SYSTEM_TABLES.checkpoint)
    .withIndex("by_slot", (q: any) => q.eq("slot", slot))
    .first();
  if (!doc) return { id: null, fields: emptyCheckpoint(slot) };
  const { _id, _creationTime: _ct, ...fields } = doc;
  return { id: _id as GenericId<any>, fields: fields as unknown as CheckpointFields };
}

export async function saveCheckpoint(db: GenericDatabaseWriter<GenericDataModel>, stored: StoredCheckpoint, next: CheckpointFields): Promise<void> {
  const fields = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined));
  if (stored.id) await db.replace(SYSTEM_TABLES.checkpoint, stored.id, fields as any);
  else await db.insert(SYSTEM_TABLES.checkpoint, fields as any);
}
