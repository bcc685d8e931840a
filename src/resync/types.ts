// The re-sync contract: what the worker needs from the wiring, what the stream calls, and what each step of
// a re-sync (copy.ts, sweep.ts) is handed. Invariants of the whole are at the top of resyncer.ts.
import type pg from "pg";
import type { Config } from "../config/schema";
import type { TableGraph } from "../definitions/graph";
import type { TableDef, TableSet } from "../definitions/types";
import type { Logger } from "../log";
import type { Metrics } from "../observability/metrics";
import type { Position } from "../checkpoint";
import type { Sink } from "../sink";
import type { ObservedTx } from "../model/changes";
import type { Lsn } from "../model/lsn";
import type { MirrorState } from "../mirror-functions/wire/protocol";
import type { MirrorReader } from "../convex-client/mirror-reader";
import type { ChunkRead } from "../postgres";
import type { ChunkWindow } from "./window";

export interface ResyncDeps {
  config: Config;
  tables: TableSet;
  graph: TableGraph;
  /** The wiring's instrumented sink (metrics, logs, rejects). */
  sink: Sink;
  reader: MirrorReader;
  logger: Logger;
  metrics?: Metrics | undefined;
  /** The stream's last durable checkpoint. */
  position: () => Position | null;
  pollMs?: number;
  /** After a table was copied again in full: its schema-drift marks are cleared (the copy supersedes them). */
  onFinished?: (table: string) => Promise<void>;
}

export interface Resyncer {
  /** Stream hook: every transaction, in stream order, inside the stream's serial queue. */
  /** Every unit the stream assembles, leading parts of a large transaction included (they carry no messages). */
  observe(tx: ObservedTx): Promise<void>;
  /** Records a re-sync request for each mirrored table Convex has never copied (added after streaming began). */
  requestNewTables(state: MirrorState): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** What a window step does at its high watermark, in the stream's queue. */
export type OnHigh = (win: ChunkWindow, chunk: ChunkRead | null, high: Lsn) => Promise<void>;

/** Arms a window, emits L, reads (or not: a barrier), emits H, and settles once onHigh ran at H. */
export type RunWindow = (table: string, chunk: number, read: (() => Promise<ChunkRead>) | null, onHigh: OnHigh) => Promise<void>;

export interface StepContext extends ResyncDeps {
  table: TableDef;
  runWindow: RunWindow;
  session: () => Promise<pg.Client>;
  isStopped: () => boolean;
  stopping: Promise<never>;
  /** xid → commit LSN of recent transactions that changed the table (ChunkWindow.remaining's `earlier`). */
  recent: ReadonlyMap<number, Lsn>;
}
