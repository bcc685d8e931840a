// Reference ids and lookups. Invariants, for every stored row R and reference r to a mirrored parent:
//   R[r.field] = _id of the parent row whose key equals R[r.column] (as PostgreSQL compares them: across integer
//   types by value, reference-keys.ts), unset when there is none;
//   R[lookup.field] = that parent's lookup.column, null when there is none.
// A row's own links are set whenever it is written (linkParents). The other direction costs one index
// scan of each child table (by_<column>): when a parent row appears (adoptChildren), disappears
// (releaseChildren) or changes a looked-up column (propagateLookups). Those scans are unbounded; with
// foreign keys they usually find nothing, because children arrive after and leave before parents.
import type { Value } from "convex/values";
import type { ReferenceKeys } from "../../definitions/reference-keys";
import type { TableDef } from "../../definitions/types";
import type { TableInfo } from "../config";
import { AggregateSum } from "./aggregates";
import type { MirrorTx } from "./mirror-tx";
import { sameValue, type Fields, type Row } from "./row-store";

/** Fills the reference-id and lookup fields of `fields` (a row of `info`'s table) from current parents. */
export async function linkParents(tx: MirrorTx, info: TableInfo, fields: Fields): Promise<void> {
  for (const { ref, parent, keys } of info.refs) {
    const row = await parentRow(tx, parent, keys, fields[ref.column]);
    fields[ref.field] = row?._id;
  }
  for (const { d, ref, parent, keys } of info.lookups) {
    const row = await parentRow(tx, parent, keys, fields[ref.column]);
    fields[d.field] = row ? (row[d.column] ?? null) : null;
  }
}

/** The parent row a child's column value names (its value as the parent's key type: reference-keys.ts). */
async function parentRow(tx: MirrorTx, parent: TableDef, keys: ReferenceKeys, raw: Value | undefined): Promise<Row | null> {
  const key = raw === undefined || raw === null ? null : keys.toParent(raw);
  return key === null ? null : tx.rows.row(parent, [key]);
}

/** `row` was just inserted: point its children at it and compute its count/sum fields from them. */
export async function adoptChildren(tx: MirrorTx, info: TableInfo, row: Row): Promise<void> {
  const sum = new AggregateSum(info);
  await eachChild(tx, info, row, (childInfo, ref, kids) => {
    sum.addChildren(childInfo.def, ref.column, kids);
    const lookups = childInfo.lookups.filter((l) => l.ref.column === ref.column);
    for (const kid of kids) {
      const updates: Fields = { [ref.field]: row._id };
      for (const l of lookups) updates[l.d.field] = row[l.d.column] ?? null;
      tx.rows.setFields(childInfo.def, kid, updates);
    }
  });
  if (info.aggregates.length > 0) tx.rows.setFields(info.def, row, sum.fields());
}

/** `row` was just deleted: unset the children's reference ids and null their lookups. */
export async function releaseChildren(tx: MirrorTx, info: TableInfo, row: Row): Promise<void> {
  await eachChild(tx, info, row, (childInfo, ref, kids) => {
    const lookups = childInfo.lookups.filter((l) => l.ref.column === ref.column);
    for (const kid of kids) {
      const updates: Fields = { [ref.field]: undefined };
      for (const l of lookups) updates[l.d.field] = null;
      tx.rows.setFields(childInfo.def, kid, updates);
    }
  });
}

/** `before` was replaced by `after` (same _id): copy changed looked-up columns into the children. */
export async function propagateLookups(tx: MirrorTx, info: TableInfo, before: Fields, after: Row): Promise<void> {
  await eachChild(
    tx,
    info,
    after,
    (childInfo, ref, kids) => {
      const lookups = childInfo.lookups.filter((l) => l.ref.column === ref.column);
      for (const kid of kids) tx.rows.setFields(childInfo.def, kid, Object.fromEntries(lookups.map((l) => [l.d.field, after[l.d.column] ?? null])));
    },
    // Only scan children whose lookups copy a column that changed.
    (childInfo, ref) => childInfo.lookups.some((l) => l.ref.column === ref.column && !sameValue(before[l.d.column] ?? null, after[l.d.column] ?? null)),
  );
}

type ChildVisit = (childInfo: TableInfo, ref: TableInfo["children"][number]["ref"], kids: Row[]) => void;

async function eachChild(tx: MirrorTx, info: TableInfo, row: Fields, visit: ChildVisit, wanted?: (c: TableInfo, r: TableInfo["children"][number]["ref"]) => boolean): Promise<void> {
  // Only a table with a single-column primary key can be a parent (buildGraph checks it).
  const key: Value = row[info.def.primaryKey[0]!] ?? null;
  for (const { child, ref, keys } of info.children) {
    const childInfo = tx.config.table(child.name);
    if (wanted && !wanted(childInfo, ref)) continue;
    // The key as the child column's type; null when no child can hold it (an int8 key beyond an int4 column).
    const value = key === null ? null : keys.toChild(key);
    visit(childInfo, ref, value === null ? [] : await tx.rows.scan(child, ref.column, value));
  }
}
