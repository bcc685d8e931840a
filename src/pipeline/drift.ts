// Schema drift, bridge side: notes from the decoder (decode/drift.ts) and the periodic catalog check are recorded in
// Convex (pg2c_drift, apply/drift.ts) before the transaction they came with is applied, counted
// (pg2convex_schema_drift_total), shown by /healthz (pg2convex_schema_drifted) and logged once per table column
// with the fix. Invariant: `flush` resolves only once every pending note is durable in Convex; the stream awaits it
// before the change reaches the batcher, so no checkpoint can pass a change whose drift was not recorded.
import type { ConvexClient } from "../convex-client/client";
import type { DriftNote } from "../decode/drift";
import type { Logger } from "../log";
import type { Metrics } from "../observability/metrics";
import { keyString } from "../model/key";
import { formatLsn } from "../model/lsn";
import type { DriftEntry } from "../mirror-functions/apply/drift";

export interface DriftStage {
  note(n: DriftNote): void;
  flush(): Promise<void>;
  hasPending(): boolean;
  /** Marks what earlier runs recorded (health, metrics) at start-up. */
  loadRecorded(): Promise<void>;
  /**
   * A re-sync copied `table` again: its marks go (in Convex and in /healthz). A column that still differs from
   * the definitions is marked again by the next change or the periodic catalog check.
   */
  clearTable(table: string): Promise<void>;
}

export const driftFix = (table: string) => `run pg2convex init --check, update the definition of ${table} and deploy, then pg2convex resync --table ${table}`;

const PAGE = 200;

export function createDriftStage(deps: { client: ConvexClient | null; logger: Logger; metrics?: Metrics | undefined }): DriftStage {
  const { client, logger, metrics } = deps;
  let pending: DriftNote[] = [];
  const logged = new Set<string>();
  const marked = new Map<string, Set<string>>();
  const mark = (table: string, column: string) => {
    metrics?.schemaDrifted.set({ table, column }, 1);
    marked.set(table, (marked.get(table) ?? new Set()).add(column));
  };
  let chain: Promise<void> = Promise.resolve();
  const flushAll = async () => {
    while (pending.length > 0) {
      const page = pending.slice(0, PAGE);
      const entries: DriftEntry[] = page.map((n) => ({
        table: n.table,
        column: n.column,
        kind: n.kind,
        detail: n.detail,
        keyString: n.key ? keyString(n.key) : "",
        ...(n.key ? { key: [...n.key] } : {}),
        ...(n.raw !== undefined ? { raw: n.raw } : {}),
        ...(n.lsn !== undefined ? { lsn: n.lsn } : {}),
      }));
      if (client) await client.mutation("recordDrift", { entries }, { context: { table: page[0]!.table } });
      pending = pending.slice(page.length);
    }
  };
  return {
    note(n) {
      pending.push(n);
      metrics?.schemaDrift.inc({ table: n.table, column: n.column });
      mark(n.table, n.column);
      const id = `${n.table}\u0000${n.column}\u0000${n.kind}`;
      if (logged.has(id)) return;
      logged.add(id);
      logger.warn({ table: n.table, column: n.column, kind: n.kind, ...(n.lsn ? { lsn: formatLsn(n.lsn) } : {}), fix: driftFix(n.table) }, `schema drift: ${n.detail}; known columns keep streaming, the rest is kept in pg2c_drift`);
    },
    hasPending: () => pending.length > 0,
    // Serialized: the stream and the catalog check both flush, and two overlapping flushes would drop notes.
    flush() {
      chain = chain.catch(() => undefined).then(flushAll);
      return chain;
    },
    async clearTable(table) {
      if (client) for (let more = true; more;) more = (await client.mutation<{ removed: number; more: boolean }>("clearDrift", { table })).more;
      for (const column of marked.get(table) ?? []) metrics?.schemaDrifted.remove({ table, column });
      marked.delete(table);
      for (const id of [...logged]) if (id.startsWith(`${table}\u0000`)) logged.delete(id);
      logger.info({ table }, "schema drift marks cleared: the table was copied again");
    },
    async loadRecorded() {
      if (!client) return;
      const { tables } = await client.query<{ tables: Array<{ table: string; column: string; detail: string }> }>("listDrift", {});
      for (const t of tables) mark(t.table, t.column);
      if (tables.length > 0) logger.warn({ drifted: tables.map((t) => (t.column ? `${t.table}.${t.column}` : t.table)) }, "tables marked drifted in pg2c_drift by an earlier run (pg2convex status lists them)");
    },
  };
}
