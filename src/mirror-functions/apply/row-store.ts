// The mirrored rows as one mutation sees them: a cache over ctx.db keyed by (table, primary key), with
// every database call counted in `usage`. Invariants:
//  - the cache holds the current version of every row it has seen (null = known absent), so a row
//    written earlier in the batch is what later ops (and parents' derived maintenance) see;
//  - only derived, reference-id and lookup fields are written lazily (setFields → flush at the end).
//    None of them is indexed (config.ts checks it), so index scans of the database stay exact, and
//    scanned documents are overlaid with their cached version;
//  - a child scan prefetched at the start of the batch (fillScans) answers scan() only while no row of that
//    child table with that column value was written since (insert, replace or remove mark it stale): then the
//    index range would return the same documents, which are overlaid with their cached version as usual.
import type { GenericDatabaseWriter, GenericDataModel } from "convex/server";
import { compareValues, type GenericId, type Value } from "convex/values";
import type { TableDef } from "../../definitions/types";
import { compareKeys, keyOfDoc, keyString, rowId } from "../../model/key";
import { indexFor, PK_INDEX, VERSION_INDEX } from "../names";
import { readRange } from "./key-ranges";
import { VERSION_FIELD } from "../../definitions/types";
import type { Usage } from "./usage";

export type Row = Record<string, Value | undefined> & { _id: GenericId<any> };
export type Fields = Record<string, Value | undefined>;
type Db = GenericDatabaseWriter<GenericDataModel>;

export class RowStore {
  private readonly rows = new Map<string, Row | null>();
  private readonly dirty = new Map<string, { def: TableDef; fields: Set<string> }>();
  /** Child scans read ahead (fillScans), by scanId; valid while not in `staleScans`. */
  private readonly scans = new Map<string, Row[]>();
  private readonly staleScans = new Set<string>();

  constructor(
    private readonly db: Db,
    readonly usage: Usage,
  ) {}

  /** Number of documents with deferred patches (each costs one write at flush). */
  get pendingWrites(): number {
    return this.dirty.size;
  }

  async row(def: TableDef, key: readonly Value[]): Promise<Row | null> {
    const id = cacheId(def, key);
    const hit = this.rows.get(id);
    if (hit !== undefined) return hit;
    this.usage.queries += 1;
    const doc = (await this.db
      .query(def.convexName)
      .withIndex(PK_INDEX, (q) => def.primaryKey.reduce((acc: any, c, i) => acc.eq(c, key[i]), q))
      .first()) as Row | null;
    if (doc) this.usage.read([doc as Record<string, Value>]);
    this.rows.set(id, doc);
    return doc;
  }

  /** The cached state of a row: the row, null when known absent, undefined when not read yet. */
  cached(def: TableDef, key: readonly Value[]): Row | null | undefined {
    return this.rows.get(cacheId(def, key));
  }

  /**
   * Reads the rows of `keys` (sorted, not cached yet) with ONE index range of by_pk over their first column,
   * caching each as found or absent. False when the range stopped early (`cap` documents, or the read budget):
   * then only the keys up to the last document read are known.
   */
  async fillRows(def: TableDef, keys: readonly Value[][], cap: number): Promise<boolean> {
    const c0 = def.primaryKey[0]!;
    const q = this.db.query(def.convexName).withIndex(PK_INDEX, (q: any) => q.gte(c0, keys[0]![0]).lte(c0, keys[keys.length - 1]![0]));
    const { docs, done } = await readRange(this.usage, q as AsyncIterable<Row>, cap);
    const wanted = new Set(keys.map((k) => cacheId(def, k)));
    for (const doc of docs) {
      const id = cacheId(def, keyOfDoc(def, doc));
      if (wanted.has(id)) this.rows.set(id, doc);
    }
    const last = done ? null : keyOfDoc(def, docs[docs.length - 1]!);
    for (const k of keys) {
      const id = cacheId(def, k);
      if (!this.rows.has(id) && (last === null || compareKeys(k, last) <= 0)) this.rows.set(id, null);
    }
    return done;
  }

  /**
   * Reads the children of `values` (sorted, distinct) through `child`'s index on `column` with ONE index range,
   * remembering each value's documents for scan(). False when it stopped early: values up to (not including)
   * the last document's value are known.
   */
  async fillScans(child: TableDef, column: string, values: readonly Value[], cap: number): Promise<boolean> {
    const q = this.db.query(child.convexName).withIndex(indexFor(child, column), (q: any) => q.gte(column, values[0]!).lte(column, values[values.length - 1]!));
    const { docs, done } = await readRange(this.usage, q as AsyncIterable<Row>, cap);
    const found = new Map<string, Row[]>();
    for (const doc of docs) {
      const id = scanId(child, column, doc[column] ?? null);
      found.set(id, [...(found.get(id) ?? []), doc]);
    }
    const last = done ? null : (docs[docs.length - 1]![column] ?? null);
    for (const v of values) {
      if (last !== null && compareValues(v, last) >= 0) continue;
      const id = scanId(child, column, v);
      this.scans.set(id, found.get(id) ?? []);
    }
    return done;
  }

  /** All rows of `def` whose `column` equals `value` (one index range, unbounded; none if read ahead). */
  async scan(def: TableDef, column: string, value: Value): Promise<Row[]> {
    const id = scanId(def, column, value);
    const ahead = this.scans.get(id);
    if (ahead && !this.staleScans.has(id)) return this.overlay(def, ahead, false);
    this.usage.queries += 1;
    const docs = (await this.db
      .query(def.convexName)
      .withIndex(indexFor(def, column), (q: any) => q.eq(column, value))
      .collect()) as Row[];
    return this.overlay(def, docs);
  }

  /** Up to `n` rows of `def` with a version below `ver`. */
  async olderThan(def: TableDef, ver: bigint, n: number): Promise<Row[]> {
    this.usage.queries += 1;
    const docs = (await this.db
      .query(def.convexName)
      .withIndex(VERSION_INDEX, (q: any) => q.lt(VERSION_FIELD, ver))
      .take(n)) as Row[];
    return this.overlay(def, docs);
  }

  async insert(def: TableDef, fields: Fields): Promise<Row> {
    const _id = await this.db.insert(def.convexName, fields as any);
    this.usage.wrote(fields);
    this.stale(def, fields);
    const row: Row = { ...fields, _id };
    this.rows.set(cacheId(def, keyOfDoc(def, row)), row);
    return row;
  }

  /** Overwrites `row` with `fields` (derived values included), cancelling its deferred patch. */
  async replace(def: TableDef, row: Row, fields: Fields): Promise<Row> {
    await this.db.replace(def.convexName, row._id, strip(fields) as any);
    this.usage.wrote(fields);
    this.stale(def, row);
    this.stale(def, fields);
    this.usage.read([row as Record<string, Value>]);
    const next: Row = { ...fields, _id: row._id, _creationTime: row._creationTime };
    const id = cacheId(def, keyOfDoc(def, row));
    this.rows.set(id, next);
    this.dirty.delete(id);
    return next;
  }

  async remove(def: TableDef, row: Row): Promise<void> {
    await this.db.delete(def.convexName, row._id);
    this.usage.wrote(null);
    this.stale(def, row);
    this.usage.read([row as Record<string, Value>]);
    const id = cacheId(def, keyOfDoc(def, row));
    this.rows.set(id, null);
    this.dirty.delete(id);
  }

  /** Sets non-indexed fields on the cached row now and in the database at flush(); undefined unsets. */
  setFields(def: TableDef, row: Row, fields: Fields): void {
    const id = cacheId(def, keyOfDoc(def, row));
    const current = this.rows.get(id) ?? row;
    const changed = Object.keys(fields).filter((f) => !sameValue(current[f], fields[f]));
    if (changed.length === 0) return;
    for (const f of changed) current[f] = fields[f];
    this.rows.set(id, current);
    const entry = this.dirty.get(id) ?? { def, fields: new Set<string>() };
    for (const f of changed) entry.fields.add(f);
    this.dirty.set(id, entry);
  }

  async flush(): Promise<void> {
    for (const [id, { def, fields }] of this.dirty) {
      const row = this.rows.get(id);
      if (!row) continue;
      const patch = Object.fromEntries([...fields].map((f) => [f, row[f]]));
      await this.db.patch(def.convexName, row._id, patch as any);
      this.usage.wrote(row);
      this.usage.read([row as Record<string, Value>]);
    }
    this.dirty.clear();
  }

  /** A write of `doc`'s row changes which rows the scans by its reference columns' values return. */
  private stale(def: TableDef, doc: Fields): void {
    for (const r of def.references) this.staleScans.add(scanId(def, r.column, doc[r.column] ?? null));
  }

  private overlay(def: TableDef, docs: Row[], count = true): Row[] {
    if (count) this.usage.read(docs as Array<Record<string, Value>>);
    return docs.map((doc) => {
      const id = cacheId(def, keyOfDoc(def, doc));
      const cached = this.rows.get(id);
      if (cached) return cached;
      this.rows.set(id, doc);
      return doc;
    });
  }
}

const cacheId = (def: TableDef, key: readonly Value[]) => rowId(def.name, key);
const scanId = (def: TableDef, column: string, value: Value) => `${def.name}\u0000${column}\u0000${keyString([value])}`;

/** Structural equality of Convex values (arrays, objects, bigint, bytes); undefined equals only itself. */
export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return keyString([a]) === keyString([b]);
}

function strip(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && k !== "_id" && k !== "_creationTime") out[k] = v;
  return out;
}
