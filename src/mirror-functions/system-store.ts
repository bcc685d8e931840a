// pg2convex's own bookkeeping rows (tombstones, per-table truncate versions, rejects), cached for the
// duration of one mutation and counted in `usage` like the mirrored rows.
import type { GenericDatabaseWriter, GenericDataModel } from "convex/server";
import { compareValues, type GenericId, type Value } from "convex/values";
import { rowIdOfString } from "../model/key";
import { SYSTEM_TABLES } from "./names";
import type { RejectNotice } from "./wire/protocol";
import type { Usage } from "./apply/usage";
import { readRange } from "./apply/key-ranges";

type Db = GenericDatabaseWriter<GenericDataModel>;

export interface Tombstone {
  _id: GenericId<any>;
  table: string;
  key: string;
  ver: bigint;
}

export interface RejectRecord {
  table: string;
  key: Value[];
  keyString: string;
  ver: bigint;
  code: string;
  reason: string;
  batchId: string;
}

export type RecordedReject = RejectNotice;

export class SystemStore {
  private readonly tombs = new Map<string, Tombstone | null>();
  private readonly truncs = new Map<string, { _id: GenericId<any>; truncatedAt: bigint }>();
  private truncsLoaded = false;

  constructor(
    private readonly db: Db,
    private readonly usage: Usage,
  ) {}

  async tombstone(table: string, key: string): Promise<Tombstone | null> {
    const id = rowIdOfString(table, key);
    const hit = this.tombs.get(id);
    if (hit !== undefined) return hit;
    const doc = (await this.first(SYSTEM_TABLES.tombstone, "by_table_key", (q) => q.eq("table", table).eq("key", key))) as Tombstone | null;
    this.tombs.set(id, doc);
    return doc;
  }

  /** Whether the tombstone of `key` is known (read, or known absent). */
  knowsTombstone(table: string, key: string): boolean {
    return this.tombs.has(rowIdOfString(table, key));
  }

  /**
   * Reads the tombstones of `keys` (canonical key strings, sorted, not known yet) with ONE index range, caching
   * each as found or absent. False when it stopped early: only keys up to the last tombstone read are known.
   */
  async fillTombstones(table: string, keys: readonly string[], cap: number): Promise<boolean> {
    const q = this.db.query(SYSTEM_TABLES.tombstone).withIndex("by_table_key", (q: any) =>
      q
        .eq("table", table)
        .gte("key", keys[0]!)
        .lte("key", keys[keys.length - 1]!),
    );
    const { docs, done } = await readRange(this.usage, q as unknown as AsyncIterable<Tombstone>, cap);
    const wanted = new Set(keys);
    for (const d of docs) if (wanted.has(d.key)) this.tombs.set(rowIdOfString(table, d.key), d);
    const last = done ? null : docs[docs.length - 1]!.key;
    for (const k of keys) {
      const id = rowIdOfString(table, k);
      if (!this.tombs.has(id) && (last === null || compareValues(k, last) <= 0)) this.tombs.set(id, null);
    }
    return done;
  }

  /** Records that `key` was deleted at `ver`; a tombstone only ever moves forward. */
  async raiseTombstone(table: string, key: string, ver: bigint): Promise<boolean> {
    const current = await this.tombstone(table, key);
    if (current && current.ver >= ver) return false;
    if (current) await this.db.patch(SYSTEM_TABLES.tombstone, current._id, { ver });
    const _id = current?._id ?? (await this.db.insert(SYSTEM_TABLES.tombstone, { table, key, ver }));
    this.usage.wrote({ table, key, ver });
    this.tombs.set(rowIdOfString(table, key), { _id, table, key, ver });
    return true;
  }

  async dropTombstone(t: Tombstone): Promise<void> {
    await this.db.delete(SYSTEM_TABLES.tombstone, t._id);
    this.usage.wrote(null);
    this.tombs.set(rowIdOfString(t.table, t.key), null);
  }

  /** Up to `n` tombstones of `table` older than `ver` (superseded by a truncate at `ver`). */
  async olderTombstones(table: string, ver: bigint, n: number): Promise<Tombstone[]> {
    this.usage.queries += 1;
    const docs = (await this.db
      .query(SYSTEM_TABLES.tombstone)
      .withIndex("by_table_ver", (q: any) => q.eq("table", table).lt("ver", ver))
      .take(n)) as unknown as Tombstone[];
    this.usage.read(docs as any);
    return docs;
  }

  /** Version of the table's latest truncate, null if it was never truncated. */
  async truncatedAt(table: string): Promise<bigint | null> {
    if (!this.truncsLoaded) {
      // One row per truncated table: reading them all at once costs one index range per batch.
      this.usage.queries += 1;
      const docs = await this.db.query(SYSTEM_TABLES.tableState).collect();
      this.usage.read(docs);
      for (const d of docs) this.truncs.set(d.table as string, { _id: d._id as GenericId<any>, truncatedAt: d.truncatedAt as bigint });
      this.truncsLoaded = true;
    }
    return this.truncs.get(table)?.truncatedAt ?? null;
  }

  async raiseTruncatedAt(table: string, ver: bigint): Promise<boolean> {
    const current = await this.truncatedAt(table);
    if (current !== null && current >= ver) return false;
    const existing = this.truncs.get(table);
    if (existing) await this.db.patch(SYSTEM_TABLES.tableState, existing._id, { truncatedAt: ver });
    const _id = existing?._id ?? (await this.db.insert(SYSTEM_TABLES.tableState, { table, truncatedAt: ver }));
    this.usage.wrote({ table, truncatedAt: ver });
    this.truncs.set(table, { _id, truncatedAt: ver });
    return true;
  }

  /**
   * Stores a reject once: replaying the batch that carried it adds nothing. Returns it when this batch
   * recorded it — now, or in an earlier attempt whose result the bridge never saw — and null otherwise.
   */
  async reject(r: RejectRecord): Promise<RecordedReject | null> {
    const same = await this.first(SYSTEM_TABLES.reject, "by_table_key", (q) => q.eq("table", r.table).eq("keyString", r.keyString).eq("ver", r.ver));
    if (same && same.code === r.code) return r.batchId !== "" && same.batchId === r.batchId ? rejectNotice(same) : null;
    const doc = { ...r, at: Date.now() };
    const _id = await this.db.insert(SYSTEM_TABLES.reject, doc);
    this.usage.wrote(doc);
    return rejectNotice({ ...doc, _id });
  }

  /**
   * A reject of `key` newer than `ver` (the stored doc's version), if any: the doc is then stale in columns
   * nobody knows, so nothing may be merged into it or carried from it.
   */
  async rejectedAfter(table: string, key: string, ver: bigint): Promise<RecordedReject | null> {
    const doc = await this.first(SYSTEM_TABLES.reject, "by_table_key", (q) => q.eq("table", table).eq("keyString", key).gt("ver", ver));
    return doc ? rejectNotice(doc) : null;
  }

  /** Every reject recorded under `batchId` (by earlier mutations of a batch that was cut short). */
  async rejectsOfBatch(batchId: string): Promise<RecordedReject[]> {
    this.usage.queries += 1;
    const docs = await this.db
      .query(SYSTEM_TABLES.reject)
      .withIndex("by_batch", (q: any) => q.eq("batchId", batchId))
      .collect();
    this.usage.read(docs);
    return docs.map(rejectNotice);
  }

  async first(table: string, index: string, range: (q: any) => any): Promise<Record<string, Value> | null> {
    this.usage.queries += 1;
    const doc = await this.db.query(table).withIndex(index, range).first();
    if (doc) this.usage.read([doc]);
    return doc;
  }
}

export function rejectNotice(doc: Record<string, Value>): RecordedReject {
  return {
    id: doc._id as string,
    table: doc.table as string,
    key: doc.key as Value[],
    ver: doc.ver as bigint,
    code: doc.code as string,
    reason: doc.reason as string,
    at: doc.at as number,
  };
}
