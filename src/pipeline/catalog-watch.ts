// The periodic catalog check of `run`: what wal2json never shows (a DROP TABLE of a mirrored table, REPLICA
// IDENTITY changed to NOTHING, a column added, dropped or retyped while no row changed, a new enum label) is found
// by repeating setup's per-table checks (postgres/checks tableChecks) every interval and marked as drift like a
// drifting change (pipeline/drift.ts). Invariant: it only reads the catalog and never stops the stream; a failed
// round is logged and retried at the next interval; once stopped, a round still running is not logged (its
// session is being closed under it). Each finding is noted once per run.
import type pg from "pg";
import type { TableSet } from "../definitions/types";
import type { Logger } from "../log";
import { tableChecks } from "../postgres/checks/run";
import type { DriftStage } from "./drift";
import type { PartitionMap } from "./partitions";

export interface CatalogWatch {
  /** One round now (tests; the timer calls it too). */
  check(): Promise<void>;
  stop(): void;
}

export function watchCatalog(deps: { client: pg.ClientBase; tables: TableSet; drift: DriftStage; partitions: PartitionMap; logger: Logger; intervalMs: number }): CatalogWatch {
  const { client, tables, drift, partitions, logger } = deps;
  const seen = new Set<string>();
  let running: Promise<void> | null = null;
  let stopped = false;
  const round = async () => {
    await partitions.refresh();
    for (const t of tables) {
      const report = await tableChecks(client, [t]);
      for (const f of report.failures) {
        const id = `${f.name}\u0000${f.subject ?? ""}\u0000${f.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const prefix = `${t.schema}.${t.name}.`;
        const column = f.subject?.startsWith(prefix) ? f.subject.slice(prefix.length) : "";
        drift.note({ table: t.name, column, kind: "catalog", detail: `${f.message} (fix: ${f.fix})` });
      }
    }
    await drift.flush();
  };
  const check = () => {
    running ??= round()
      .catch((e: unknown) => {
        if (!stopped) logger.warn({ err: String(e) }, "periodic catalog check failed; retrying at the next interval");
      })
      .finally(() => (running = null));
    return running;
  };
  const timer = deps.intervalMs > 0 ? setInterval(() => void check(), deps.intervalMs) : null;
  timer?.unref();
  return {
    check,
    stop: () => {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
