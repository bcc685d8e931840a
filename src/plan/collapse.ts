// Collapses changes to each row's final state and orders the result by the table graph.
import type { Value } from "convex/values";
import type { Op } from "../mirror-functions/wire/protocol";
import type { Row, RowChange, SourceTransaction } from "../model/changes";
import { keyString, rowId, type Key } from "../model/key";
import type { TableGraph } from "../definitions/graph";
import { Pg2ConvexError } from "../errors";
import { formatLsn } from "../model/lsn";

type Entry =
  | {
      kind: "upsert";
      table: string;
      key: Key;
      row: Row;
      ver: bigint;
      /** The key this row had before the batch, when its primary key changed in it: omitted columns come from there. */
      from?: Key;
    }
  | { kind: "delete"; table: string; key: Key; ver: bigint }
  | { kind: "reject"; table: string; key: Key; ver: bigint; code: string; reason: string };

/**
 * What the planner remembers across the parts of one streamed transaction (src/assemble/parts.ts): the keys
 * whose latest change so far was rejected, so that a later part's partial update of one (its omitted columns
 * known nowhere) stays a reject, as it would inside one collapsed transaction. Bounded by the rejects.
 */
export class StreamedTx {
  private readonly rejects = new Map<string, Extract<Entry, { kind: "reject" }>>();

  wrote(id: string, reject: Extract<Entry, { kind: "reject" }> | null): void {
    if (reject) this.rejects.set(id, reject);
    else this.rejects.delete(id);
  }

  rejected(id: string): Entry | undefined {
    return this.rejects.get(id);
  }

  truncated(table: string): void {
    for (const [id, e] of this.rejects) if (e.table === table) this.rejects.delete(id);
  }
}

/** One run of row changes between truncates. Map order = first appearance, for deterministic output. */
class Segment {
  readonly rows = new Map<string, Entry>();

  constructor(private readonly streamed?: StreamedTx) {}

  put(table: string, key: Key, next: (prev: Entry | undefined) => Entry): void {
    const id = rowId(table, key);
    const prev = this.rows.get(id);
    if (prev) this.rows.delete(id); // re-insert keeps "last touched" order stable within a table
    const entry = next(prev);
    this.rows.set(id, entry);
    this.streamed?.wrote(id, entry.kind === "reject" ? entry : null);
  }

  /** The row's entry in this segment, or (streamed transactions) the reject an earlier part ended it with. */
  get(table: string, key: Key): Entry | undefined {
    const id = rowId(table, key);
    return this.rows.get(id) ?? this.streamed?.rejected(id);
  }

  dropTables(tables: ReadonlySet<string>): void {
    for (const [id, e] of this.rows) if (tables.has(e.table)) this.rows.delete(id);
  }
}

function apply(graph: TableGraph, seg: Segment, c: Exclude<RowChange, { kind: "truncate" }>, ver: bigint): void {
  switch (c.kind) {
    case "insert":
      seg.put(c.table, c.key, () => ({ kind: "upsert", table: c.table, key: c.key, row: c.row, ver }));
      return;
    case "update": {
      // The row an update changes: for a primary-key change the old key's row (collapsed so far in this
      // segment, or as stored before the batch when its entry leaves columns out), never whatever the new
      // key held before.
      const prev = seg.get(c.table, c.oldKey ?? c.key);
      if (c.oldKey) seg.put(c.table, c.oldKey, () => ({ kind: "delete", table: c.table, key: c.oldKey!, ver }));
      seg.put(c.table, c.key, () => updated(graph, c, prev, ver));
      return;
    }
    case "delete":
      seg.put(c.table, c.key, () => ({ kind: "delete", table: c.table, key: c.key, ver }));
      return;
    case "reject":
      seg.put(c.table, c.key, () => ({ kind: "reject", table: c.table, key: c.key, ver, code: c.code, reason: c.reason }));
      return;
  }
}

/** The entry after update `c` of the row whose entry was `prev`. */
function updated(graph: TableGraph, c: Extract<RowChange, { kind: "update" }>, prev: Entry | undefined, ver: bigint): Entry {
  const { table, key } = c;
  // Columns wal2json omitted (unchanged TOAST) stay undefined; an earlier image in the batch fills them, else
  // the mutation takes them from the stored row (at `from` for a row that moved).
  if (prev?.kind === "upsert") {
    const from = c.oldKey ? (prev.from ?? c.oldKey) : prev.from;
    return { kind: "upsert", table, key, row: mergeRow(prev.row, c.row), ver, ...(from ? { from } : {}) };
  }
  if (prev?.kind === "reject" && isPartial(graph, table, c.row)) {
    // The row's previous change was rejected, so its omitted columns are known nowhere: still a reject.
    return { kind: "reject", table, key, ver, code: prev.code, reason: `partial update (unchanged TOASTed columns omitted) after a rejected change: ${prev.reason}` };
  }
  return { kind: "upsert", table, key, row: c.oldKey ? mergeRow({}, c.row) : c.row, ver, ...(c.oldKey ? { from: c.oldKey } : {}) };
}

function mergeRow(base: Row, update: Row): Row {
  const out: Row = { ...base };
  for (const [k, v] of Object.entries(update)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Plans the ops for consecutive transactions applied as one atomic unit.
 * Each row's version is the commit LSN of the last transaction that touched it.
 */
export function planOps(graph: TableGraph, txs: ReadonlyArray<Pick<SourceTransaction, "commitLsn" | "changes">>, streamed?: StreamedTx): Op[] {
  const ops: Op[] = [];
  let seg = new Segment(streamed);
  for (const tx of txs) {
    for (const c of tx.changes) {
      if (c.kind === "truncate") {
        // Rows of the truncated tables written earlier in the batch are gone after it. Dropping them matters for
        // rows of this same transaction: they carry the truncate's own version, which the truncate keeps.
        seg.dropTables(new Set(c.tables));
        appendAll(ops, orderSegment(graph, seg));
        seg = new Segment(streamed);
        const tables = c.tables.map((t) => convexName(graph, t, tx.commitLsn));
        // In a streamed transaction, rows at this version in Convex were written by earlier parts, before it.
        ops.push({ o: "truncate", ts: tables, ver: tx.commitLsn, ...(streamed ? { inclusive: true } : {}) });
        if (streamed) for (const t of c.tables) streamed.truncated(t);
        continue;
      }
      apply(graph, seg, c, tx.commitLsn);
    }
  }
  appendAll(ops, orderSegment(graph, seg));
  return ops;
}

/** push(...items) passes every item as an argument and overflows the stack for large transactions. */
function appendAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

function convexName(graph: TableGraph, table: string, lsn: bigint): string {
  const def = graph.byName(table);
  if (!def) throw new Pg2ConvexError("UNKNOWN_TABLE", `change for unmirrored table ${table}`, { context: { table, lsn: formatLsn(lsn) } });
  return def.convexName;
}

function orderSegment(graph: TableGraph, seg: Segment): Op[] {
  const entries = [...seg.rows.values()];
  const keep = keepMarks(graph, seg);
  const rank = (e: Entry) => graph.rank.get(e.table) ?? Number.MAX_SAFE_INTEGER;
  // Stable sorts: within a table, first-touched order is kept.
  const deletes = entries.filter((e) => e.kind === "delete").sort((a, b) => rank(b) - rank(a));
  const upserts = entries.filter((e) => e.kind !== "delete").sort((a, b) => rank(a) - rank(b));
  return [...deletes, ...upserts].map((e) => toOp(graph, e, keep.get(rowId(e.table, e.key))));
}

/**
 * For each partial upsert of a moved row: the op on its old key (there always is one, the move wrote it) is
 * told to keep the doc it is about to write for that row (`keep`, see mirror-functions/apply/carry.ts).
 */
function keepMarks(graph: TableGraph, seg: Segment): Map<string, Key[]> {
  const marks = new Map<string, Key[]>();
  for (const e of seg.rows.values()) {
    const from = e.kind === "upsert" ? movedFrom(graph, e) : undefined;
    if (!from) continue;
    const id = rowId(e.table, from);
    marks.set(id, [...(marks.get(id) ?? []), e.key]);
  }
  return marks;
}

/** The old key a partial upsert takes its omitted columns from; none when the row is whole or did not move. */
function movedFrom(graph: TableGraph, e: Extract<Entry, { kind: "upsert" }>): Key | undefined {
  if (!e.from || keyString(e.from) === keyString(e.key) || !isPartial(graph, e.table, e.row)) return undefined;
  return e.from;
}

/** Whether `row` leaves columns out (wal2json's unchanged TOAST). */
function isPartial(graph: TableGraph, table: string, row: Row): boolean {
  for (const k in row) if (row[k] === undefined) return true;
  return lacksColumns(graph, table, row);
}

/** Whether a definition column is not a field of `row` at all. */
function lacksColumns(graph: TableGraph, table: string, row: Row): boolean {
  const def = graph.byName(table);
  if (!def) return true;
  for (const c of def.columns) if (!(c.name in row)) return true;
  return false;
}

function toOp(graph: TableGraph, e: Entry, keep: Key[] | undefined): Op {
  const t = convexName(graph, e.table, e.ver);
  const k = e.key as Value[];
  const kept = keep ? { keep: keep as Value[][] } : {};
  if (e.kind === "delete") return { o: "delete", t, k, ver: e.ver, ...kept };
  if (e.kind === "reject") return { o: "reject", t, k, ver: e.ver, code: e.code, reason: e.reason };
  const d: Record<string, Value> = {};
  let omitted = false;
  for (const name in e.row) {
    const v = e.row[name];
    if (v === undefined) omitted = true;
    else d[name] = v;
  }
  if (!omitted && !lacksColumns(graph, e.table, e.row)) return keep ? { o: "upsert", t, k, ver: e.ver, d, ...kept } : { o: "upsert", t, k, ver: e.ver, d };
  const from = movedFrom(graph, e);
  return { o: "upsert", t, k, ver: e.ver, d, partial: true, ...(from ? { from: from as Value[] } : {}), ...kept };
}
