// The mirrored rows as one mutation sees them: a cache over ctx.db keyed by (table, primary key), with
// every database call counted in `usage`. Invariants:
//  - the cache holds the current version of every row it has seen (null = known absent), so a row
//    written earlier in the batch is what later ops (and parents' derived maintenance) see;
//  - only derived, reference-id and lookup fields are written lazily (setFields → flush at the end).
//    None of them is indexed (config.ts checks it), so index scans of the database stay exact, and
//    scanned documents are overlaid with their cached version.
import type { GenericDatabaseWriter, GenericDataModel } from "convex/server";
import type { GenericId, Value } from "convex/values";
import type { TableDef } from "../../definitions/types";
import { keyOfDoc, keyString, rowId } from "../../model/key";
import { indexFor, PK_INDEX, VERSION_INDEX } from "../names";
import { VERSION_FIELD } from "../../definitions/types";
import type { Usage } from "./usage";

export type Row = Record<string, Value | undefined> & { _id: GenericId<any> };
export type Fields = Record<string, Value | undefined>;
type Db = GenericDatabaseWriter<GenericDataModel>;

export class RowStore {
  private readonly rows = new Map<string, Row | null>();
  private readonly dirty = new Map<string, { def: TableDef; fields: Set<string> }>();

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

  /** All rows of `def` whose `column` equals `value` (one index range, unbounded). */
  async scan(def: TableDef, column: string, value: Value): Promise<Row[]> {
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
    const row: Row = { ...fields, _id };
    this.rows.set(cacheId(def, keyOfDoc(def, row)), row);
    return row;
  }

  /** Overwrites `row` with `fields` (derived values included), cancelling its deferred patch. */
  async replace(def: TableDef, row: Row, fields: Fields): Promise<Row> {
    await this.db.replace(def.convexName, row._id, strip(fields) as any);
    this.usage.wrote(fields);
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

  private overlay(def: TableDef, docs: Row[]): Row[] {
    this.usage.read(docs as Array<Record<string, Value>>);
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
