// Reads ahead, at the start of applyBatch (before any op writes), what the batch's ops will look up, with few
// index ranges instead of one per key (key-ranges.ts): the rows of the keys the ops write (and moved rows' old
// keys), the parent rows upserts link to and feed (integer parent keys only: such a range is always read to its
// end, so it never costs more look-ups than the one per distinct parent key plan-cost.ts counts), the tombstones of keys without a row and of deleted keys, and the child scans of rows that are about to
// be inserted. Invariants:
//  - it only fills caches the ops read through (RowStore, SystemStore) with what a look-up would have returned at
//    that moment, so the ops decide exactly as without it; whatever it leaves unknown is read key by key later;
//  - it writes nothing and leaves half of the read budgets to the ops (Usage.canPrefetch);
//  - a range that stops early (dense data: many documents between the batch's keys) ends the read-ahead of that
//    kind for that table: the rest is read key by key, and applyBatch's per-op guard bounds the mutation.
import { compareValues, type Value } from "convex/values";
import type { ReferenceKeys } from "../../definitions/reference-keys";
import type { TableDef } from "../../definitions/types";
import { keyString } from "../../model/key";
import type { TableInfo } from "../config";
import type { Op } from "../wire/protocol";
import { INT_SPAN, integerKey, keyGroups, RANGE_DOCS, sortedUnique } from "./key-ranges";
import type { MirrorTx } from "./mirror-tx";

type RowOp = Extract<Op, { o: "upsert" | "delete" }>;

export async function prefetch(tx: MirrorTx, ops: readonly Op[]): Promise<void> {
  const byTable = new Map<string, { info: TableInfo; ops: RowOp[] }>();
  for (const op of ops) {
    if (op.o !== "upsert" && op.o !== "delete") continue;
    let info: TableInfo;
    try {
      info = tx.config.table(op.t);
    } catch {
      continue; // the op itself reports it
    }
    if (op.k.length !== info.def.primaryKey.length) continue;
    const entry = byTable.get(info.def.name) ?? { info, ops: [] };
    entry.ops.push(op);
    byTable.set(info.def.name, entry);
  }
  for (const { info, ops: tableOps } of byTable.values()) {
    if (!tx.usage.canPrefetch()) return;
    const keys = tableOps.flatMap((op) => (op.o === "upsert" && op.from ? [op.k, op.from] : [op.k]));
    await fillRows(tx, info.def, keys);
  }
  for (const [parent, keys] of parentKeys(byTable.values())) {
    if (!tx.usage.canPrefetch()) return;
    await fillRows(tx, parent, keys);
  }
  for (const { info, ops: tableOps } of byTable.values()) {
    if (!tx.usage.canPrefetch()) return;
    const { def } = info;
    // A delete always reads its tombstone; an upsert only when no row is stored.
    const need = tableOps.filter((op) => op.o === "delete" || tx.rows.cached(def, op.k) === null).map((op) => op.k);
    await fillTombstones(tx, def, need);
    // Inserts scan each child table (adoptChildren); deletes and updates are left to look for themselves.
    const inserted = tableOps.filter((op) => op.o === "upsert" && tx.rows.cached(def, op.k) === null).map((op) => op.k);
    if (inserted.length === 0) continue;
    for (const { child, ref, keys } of info.children) {
      if (!tx.usage.canPrefetch()) return;
      await fillScans(tx, def, child, ref.column, keys, inserted);
    }
  }
}

/** Per parent table with an integer key: the parent keys the upserts name in their reference columns. */
function parentKeys(tables: Iterable<{ info: TableInfo; ops: RowOp[] }>): Map<TableDef, Value[][]> {
  const out = new Map<TableDef, Value[][]>();
  for (const { info, ops } of tables) {
    const refs = info.refs.filter(({ parent }) => integerKey(parent));
    if (refs.length === 0) continue;
    for (const op of ops) {
      if (op.o !== "upsert" || op.d === null || typeof op.d !== "object") continue;
      const d = op.d as Record<string, Value | undefined>;
      for (const { ref, parent, keys: cast } of refs) {
        const raw = d[ref.column];
        const v = raw === undefined || raw === null ? null : cast.toParent(raw);
        if (v === null) continue;
        let keys = out.get(parent);
        if (keys === undefined) out.set(parent, (keys = []));
        keys.push([v]);
      }
    }
  }
  return out;
}

async function fillRows(tx: MirrorTx, def: TableDef, keys: readonly Value[][]): Promise<void> {
  const sorted = sortedUnique(keys).filter((k) => tx.rows.cached(def, k) === undefined);
  const integer = integerKey(def);
  for (const [from, to] of keyGroups(sorted, integer)) {
    if (!tx.usage.canPrefetch()) return;
    // An integer range holds at most INT_SPAN documents, so it is always read to its end.
    const done = await tx.rows.fillRows(def, sorted.slice(from, to + 1), integer ? INT_SPAN + 1 : RANGE_DOCS);
    if (!done) return;
  }
}

async function fillTombstones(tx: MirrorTx, def: TableDef, keys: readonly Value[][]): Promise<void> {
  const sorted = sortedUnique(keys);
  for (const [from, to] of keyGroups(sorted, integerKey(def))) {
    if (!tx.usage.canPrefetch()) return;
    const strings = sorted
      .slice(from, to + 1)
      .map((k) => keyString(k))
      .filter((s) => !tx.system.knowsTombstone(def.name, s))
      .sort(compareValues);
    if (strings.length === 0) continue;
    if (!(await tx.system.fillTombstones(def.name, strings, RANGE_DOCS))) return;
  }
}

async function fillScans(tx: MirrorTx, parent: TableDef, child: TableDef, column: string, cast: ReferenceKeys, keys: readonly Value[][]): Promise<void> {
  // Only a table with a single-column primary key is a parent (buildGraph checks it): the scans look for its value,
  // as the child column's type (reference-keys.ts: exact and order-preserving, so the values stay sorted); a key
  // no child can hold is not looked for (links.ts does not scan for it either).
  const sorted = sortedUnique(keys);
  for (const [from, to] of keyGroups(sorted, integerKey(parent))) {
    if (!tx.usage.canPrefetch()) return;
    const values = sorted
      .slice(from, to + 1)
      .map((k) => cast.toChild(k[0]!))
      .filter((v): v is Value => v !== null);
    if (values.length === 0) continue;
    if (!(await tx.rows.fillScans(child, column, values, RANGE_DOCS))) return;
  }
}
