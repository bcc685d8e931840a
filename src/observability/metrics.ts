// Prometheus metrics for the sidecar. One registry per mirror so tests and the demo can run several.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const UNRESOLVED_REJECTS_METRIC = "pg2convex_rejects_unresolved";
export const SCHEMA_DRIFTED_METRIC = "pg2convex_schema_drifted";
export const DEAD_LETTERS_METRIC = "pg2convex_dead_letters";

export interface Metrics {
  readonly registry: Registry;
  readonly rowsApplied: Counter<"table">;
  readonly batches: Counter<"kind">;
  readonly rejects: Counter<"code">;
  /** Rejects in Convex that no newer version of their row has settled yet (health reads it). */
  readonly rejectsUnresolved: Gauge;
  /** The same open rejects (the dead-letter queue) per table. */
  readonly deadLetters: Gauge<"table">;
  readonly retries: Counter;
  readonly batchSeconds: Histogram;
  readonly commitToVisibleSeconds: Histogram;
  readonly checkpointLsn: Gauge;
  readonly lagBytes: Gauge;
  readonly lagSeconds: Gauge;
  readonly backfillRows: Counter<"table">;
  /** Per-table drift found by the last parity run (0 = clean). */
  readonly parityDrift: Gauge<"table">;
  /** Changes (or catalog findings) whose columns differ from the definitions (pipeline/drift.ts). */
  readonly schemaDrift: Counter<"table" | "column">;
  /** 1 for each (table, column) marked drifted in Convex (health names them). */
  readonly schemaDrifted: Gauge<"table" | "column">;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "pg2convex_process_" });
  const r = [registry];
  return {
    registry,
    rowsApplied: new Counter({ name: "pg2convex_rows_applied_total", help: "Row operations sent to Convex", labelNames: ["table"], registers: r }),
    batches: new Counter({ name: "pg2convex_batches_total", help: "Batches applied to Convex", labelNames: ["kind"], registers: r }),
    rejects: new Counter({ name: "pg2convex_rejects_total", help: "Rows recorded as rejects (not storable or not decodable)", labelNames: ["code"], registers: r }),
    rejectsUnresolved: new Gauge({ name: UNRESOLVED_REJECTS_METRIC, help: "Rejects not yet superseded by a newer version of their row (pg2convex status lists them)", registers: r }),
    deadLetters: new Gauge({ name: DEAD_LETTERS_METRIC, help: "Unresolved dead letters (open rejects) per table (pg2convex dlq list shows them)", labelNames: ["table"], registers: r }),
    retries: new Counter({ name: "pg2convex_convex_retries_total", help: "Retried Convex calls (transient failures)", registers: r }),
    batchSeconds: new Histogram({ name: "pg2convex_batch_apply_seconds", help: "Time to apply one batch in Convex", registers: r, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] }),
    commitToVisibleSeconds: new Histogram({
      name: "pg2convex_commit_to_visible_seconds",
      help: "PostgreSQL commit to Convex commit, for the newest transaction of each batch",
      registers: r,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    }),
    checkpointLsn: new Gauge({ name: "pg2convex_checkpoint_lsn", help: "Durable checkpoint (end LSN) as a number", registers: r }),
    lagBytes: new Gauge({ name: "pg2convex_slot_lag_bytes", help: "Server WAL position minus the durable checkpoint", registers: r }),
    lagSeconds: new Gauge({ name: "pg2convex_lag_seconds", help: "Seconds since the commit of the oldest mirrored change not yet applied in Convex (0 when caught up)", registers: r }),
    backfillRows: new Counter({ name: "pg2convex_backfill_rows_total", help: "Rows copied by the backfill", labelNames: ["table"], registers: r }),
    parityDrift: new Gauge({ name: "pg2convex_parity_drift_rows", help: "Rows in drift at the last parity run", labelNames: ["table"], registers: r }),
    schemaDrift: new Counter({ name: "pg2convex_schema_drift_total", help: "Changes and catalog findings that differ from the table definitions (kept in pg2c_drift)", labelNames: ["table", "column"], registers: r }),
    schemaDrifted: new Gauge({ name: SCHEMA_DRIFTED_METRIC, help: "1 per table column marked drifted in pg2c_drift (pg2convex status lists them)", labelNames: ["table", "column"], registers: r }),
  };
}
