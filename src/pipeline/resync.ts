// Wiring of the re-sync worker (src/resync/) for one run. Only with the real Convex sink: the worker reads
// the mirror back (the sweep) and records requests through the same deployment. Before the backfill:
// the deployment must mirror every table (stops with one message naming the table and the fix); once
// streaming, a table Convex never copied is requested, and the worker starts with the stream.
import type { InstrumentedSink } from "./instrumented-sink";
import type { Config } from "../config/schema";
import type { TableSet } from "../definitions/types";
import type { Logger } from "../log";
import type { Metrics } from "../observability/metrics";
import type { TableGraph } from "../definitions/graph";
import type { Position } from "../checkpoint";
import type { MirrorState } from "../mirror-functions/wire/protocol";
import { createMirrorReader } from "../convex-client/mirror-reader";
import { assertDeploymentTables, createResyncer, type Resyncer } from "../resync";

export interface ResyncWiring {
  config: Config;
  tables: TableSet;
  logger: Logger;
  metrics?: Metrics | undefined;
  /** A sink other than the Convex one (bench, dry runs): no re-sync. */
  customSink: boolean;
  /** A table's re-sync finished (the drift stage clears its marks). */
  onFinished?: (table: string) => Promise<void>;
}

export async function startResync(deps: ResyncWiring, sink: InstrumentedSink, state: MirrorState, graph: TableGraph): Promise<((position: () => Position | null) => Resyncer) | null> {
  if (deps.customSink) return null;
  const { config, tables, logger, metrics } = deps;
  const reader = createMirrorReader({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: config.retries });
  await assertDeploymentTables(reader, tables);
  return (position) => {
    const resyncer = createResyncer({ config, tables, graph, sink, reader, logger, metrics, position, ...(deps.onFinished ? { onFinished: deps.onFinished } : {}) });
    return {
      ...resyncer,
      start() {
        // Requests first (their progress is what the worker polls), then the worker.
        resyncer
          .requestNewTables(state)
          .catch((e: unknown) => logger.error({ err: String(e) }, "could not record re-sync requests for new tables"))
          .finally(() => resyncer.start());
      },
    };
  };
}
