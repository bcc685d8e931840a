// Reads one table in keyset pages. The cursor is the primary key as PostgreSQL text, so the next page's
// WHERE clause compares in PostgreSQL's own ordering, whatever the key types.
import type pg from "pg";
import type { Value } from "convex/values";
import type { Metrics } from "../observability/metrics";
import type { TableGraph } from "../definitions/graph";
import type { TableDef } from "../definitions/types";
import type { Config } from "../config/schema";
import type { Row, RowChange } from "../model/changes";
import type { Lsn } from "../model/lsn";
import { Pg2ConvexError } from "../errors";
import { decodeText } from "../decode";
import { createBatcher } from "../plan";
import { estimateRows, keyset, readText } from "../postgres";
import type { Progress } from "./progress";
import type { Chunk } from "./schedule";
import type { Batch } from "../plan";

export interface CopyContext {
  config: Config;
  graph: TableGraph;
  metrics?: Metrics;
  reader: pg.Client;
  table: TableDef;
  snapshotLsn: Lsn;
  resumeAfter: string[] | null;
  rowsBefore: number;
  progress: Progress;
  /** Global across tables: waits until the rows read so far are within --backfill-rows-per-second. */
  throttle: (rowsRead: number) => Promise<void>;
}

/**
 * The table's keyset pages as chunks (schedule.ts applies them). Reads go to the one snapshot reader; the
 * caller runs one read at a time on it, so every table's pages come from the same snapshot transaction.
 */
export async function tableChunks(ctx: CopyContext): Promise<() => Promise<Chunk | null>> {
  const { table, reader, graph, config } = ctx;
  const pk = table.primaryKey;
  // Rows come back named by column (toChange reads them so), the key's text as pg2c_k<i>.
  const pages = keyset(table, { columnNames: "name" });
  const firstPage = pages.page([], "$1");
  const nextPage = pages.page([pages.compare(">", pages.params(1))], `$${pk.length + 1}`);

  const total = await estimateRows(reader, table);
  let cursor = ctx.resumeAfter;
  let copied = 0;
  let finished = false;
  let lastRows = 0;
  ctx.progress.start(table.name, total, ctx.rowsBefore);
  const batcher = createBatcher(graph, config.maxBatchOps ? { maxOps: config.maxBatchOps } : {});
  return async () => {
    if (finished) return null;
    // The previous page's rows count against the global rate before this page is read.
    if (lastRows > 0) await ctx.throttle(lastRows);
    const chunk = config.backfillChunkRows;
    const from = cursor;
    // readText: every value exactly as its output function prints it, which is what wal2json streams.
    const rows = cursor ? await readText(reader, nextPage, [...cursor, chunk]) : await readText(reader, firstPage, [chunk]);
    const done = rows.length < chunk;
    finished = done;
    const changes = rows.map((r) => toChange(table, r, ctx.snapshotLsn));
    if (rows.length > 0) cursor = pk.map((_, i) => rows[rows.length - 1]![`pg2c_k${i}`] as string);
    const planned = [...batcher.add({ xid: 0, commitLsn: ctx.snapshotLsn, endLsn: ctx.snapshotLsn, commitTime: new Date(), changes }), ...batcher.flush()];
    copied += rows.length;
    lastRows = rows.length;
    ctx.metrics?.backfillRows.inc({ table: table.name }, rows.length);
    ctx.progress.update(table.name, ctx.rowsBefore + copied);
    // Backfill batches never move the stream checkpoint.
    const batches: Batch[] = planned.map(({ checkpoint: _unused, ...b }) => b);
    if (batches.length === 0) batches.push({ id: `backfill-${table.name}-end`, ops: [], txCount: 0, rowCount: 0 });
    return { batches, from, mark: { table: table.name, after: done ? null : cursor, done, rows: ctx.rowsBefore + copied } };
  };
}

/** One backfilled (or re-synced) row at version `lsn`; an undecodable row becomes a reject change. */
export function toChange(table: TableDef, r: Record<string, string | null>, lsn: Lsn): RowChange {
  const key = table.primaryKey.map((k) =>
    decodeText(
      table.columns.find((c) => c.name === k)!,
      r[k] ?? null,
    ),
  ) as Value[];
  const row: Row = {};
  try {
    for (const c of table.columns) row[c.name] = decodeText(c, r[c.name] ?? null);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { kind: "reject", table: table.name, key, lsn, code: e instanceof Pg2ConvexError ? e.code : "DECODE_FAILED", reason };
  }
  return { kind: "insert", table: table.name, key, row, lsn };
}

/** One global throttle for every table: the next read waits until the rows read so far are due. */
export function createThrottle(rowsPerSecond: number): (rows: number) => Promise<void> {
  const started = Date.now();
  let total = 0;
  return async (rows) => {
    total += rows;
    if (rowsPerSecond <= 0) return;
    const wait = started + (total / rowsPerSecond) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
}
