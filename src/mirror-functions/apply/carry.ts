// Rows whose primary key changed while wal2json left out their unchanged TOASTed columns. The bridge sends
// the move as a partial upsert of the new key with `from` (the old key), and marks the one op of the batch
// that writes the old key (its delete, or the upsert of the row that takes the key over) with `keep`.
// Invariants:
//  - what is carried is the doc at `from` as it was before this batch's op on `from` wrote it: the `keep` op
//    takes it just before that write, and only when the write happens (a replay writes nothing, keeps nothing);
//  - the upsert takes, in order: the carry kept by this mutation; the one stored in pg2c_carry by an earlier
//    mutation of the same transaction (a batch cut short, a transaction split in parts); the doc at `from`
//    itself while no op of this batch has written it (its `keep` op comes later in the batch);
//  - a doc older than a reject of its key is stale in columns nobody knows: its carry is "stale" (fields
//    null) and the moved row becomes a reject rather than a row PostgreSQL never had;
//  - a carry is taken at most once: the upsert drops it whatever it decides. Carries still held when the
//    mutation ends belong to an upsert of a later mutation and are stored in pg2c_carry.
import type { Value } from "convex/values";
import { VERSION_FIELD } from "../../definitions/types";
import type { TableInfo } from "../config";
import type { MirrorTx } from "./mirror-tx";
import { keyOfDoc, keyString, rowIdOfString } from "../../model/key";
import { SYSTEM_TABLES } from "../names";
import type { Fields, Row } from "./row-store";
import type { Carry } from "./carry-record";

export type { Carry };

/** What a moved row's upsert merges over: the old key's columns, "stale", or null when there is nothing. */
export type Carried = Fields | "stale" | null;

/** Before `op` writes `current` (its key's doc): keeps its columns for each row that moved away from it. */
export async function keepForMoves(tx: MirrorTx, info: TableInfo, op: { k: Value[]; keep?: Value[][] }, current: Row | null): Promise<void> {
  if (!op.keep || !current) return;
  const from = keyString(op.k);
  const carried = await carryOf(tx, info, current);
  const fields = carried === "stale" ? null : carried;
  for (const to of op.keep) {
    const key = keyString(to);
    tx.carries.set(rowIdOfString(info.def.name, key), { table: info.def.name, key, from, fields });
  }
}

/** The carried columns for the upsert of a moved row (null when there are none), dropping the carry. */
export async function takeCarried(tx: MirrorTx, info: TableInfo, op: { k: Value[]; from: Value[]; ver: bigint }): Promise<Carried> {
  const key = keyString(op.k);
  const from = keyString(op.from);
  const id = rowIdOfString(info.def.name, key);
  const held = tx.carries.get(id);
  if (held) {
    tx.carries.delete(id);
    if (held.from === from) return held.fields ?? "stale";
  }
  const stored = await dropStored(tx, info.def.name, key);
  if (stored && stored.from === from) return (stored.fields as Fields | null) ?? "stale";
  if (tx.wasTouched(info.def.name, op.from)) return null;
  const source = await tx.rows.row(info.def, op.from);
  if (!source || (source[VERSION_FIELD] as bigint) > op.ver) return null;
  return carryOf(tx, info, source);
}

async function carryOf(tx: MirrorTx, info: TableInfo, row: Row): Promise<Fields | "stale"> {
  const stale = await tx.system.rejectedAfter(info.def.name, keyString(keyOfDoc(info.def, row)), row[VERSION_FIELD] as bigint);
  return stale ? "stale" : dataColumns(info, row);
}

/** For a moved row's upsert that is not applied: its carry, if any, is not needed any more. */
export async function dropCarried(tx: MirrorTx, info: TableInfo, op: { k: Value[] }): Promise<void> {
  const key = keyString(op.k);
  if (tx.carries.delete(rowIdOfString(info.def.name, key))) return;
  await dropStored(tx, info.def.name, key);
}

/** Stores the carries no upsert of this mutation took (replacing older ones for the same key). */
export async function storeCarries(tx: MirrorTx): Promise<void> {
  for (const c of tx.carries.values()) {
    const existing = await tx.system.first(SYSTEM_TABLES.carry, "by_table_key", (q) => q.eq("table", c.table).eq("key", c.key));
    const doc = { table: c.table, key: c.key, from: c.from, fields: c.fields };
    if (existing) await tx.db.replace(SYSTEM_TABLES.carry, existing._id as never, doc as never);
    else await tx.db.insert(SYSTEM_TABLES.carry, doc as never);
    tx.usage.wrote(doc as never);
  }
  tx.carries.clear();
}

async function dropStored(tx: MirrorTx, table: string, key: string): Promise<Record<string, Value> | null> {
  const doc = await tx.system.first(SYSTEM_TABLES.carry, "by_table_key", (q) => q.eq("table", table).eq("key", key));
  if (!doc) return null;
  await tx.db.delete(SYSTEM_TABLES.carry, doc._id as never);
  tx.usage.wrote(null);
  return doc;
}

/** The columns a move carries: every mirrored column but the key (the upsert sets it) and derived fields. */
function dataColumns(info: TableInfo, row: Row): Fields {
  const out: Fields = {};
  const key = new Set(info.def.primaryKey);
  for (const c of info.def.columns) if (!key.has(c.name) && !info.derivedFields.has(c.name)) out[c.name] = row[c.name] ?? null;
  return out;
}
