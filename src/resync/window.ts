// One chunk's watermark window (DBLog / Debezium incremental snapshots), as pure logic. The worker
// (resyncer.ts) arms a window, emits the low watermark L, reads the chunk (rows with key > cursor, in key order,
// LIMIT n, in one REPEATABLE READ snapshot S taken after L committed), then emits the high watermark H. Both
// watermarks are transactional logical messages in their own transactions, so the stream sees them at their
// commit positions, in commit order with every other transaction. Invariants:
//  - every stream change of the table committed between L and H names a key the chunk must not write:
//    such a change may or may not be in S, and the stream applies it at its own version anyway;
//  - a transaction that committed before L but was still running in S (its commit record precedes L while its
//    snapshot visibility lagged, e.g. a synchronous-replication wait) is invisible to S too. If one seen after
//    arming and before L (its xid in S's xip list) changed the table, the chunk is not written at all and is
//    read again under new watermarks: dropping its keys would not do, as the stream wrote them before L, below
//    the sweep's bound (sweep.ts), so they would be swept although PostgreSQL has them;
//  - every other chunk row is PostgreSQL's row as of H: it is in S, and nothing changed it between S and H (that
//    change would be in the window). It is written at version H (H's commit LSN): a stream change before L
//    (older) loses to it, one after H (newer) wins, and no change of that key lies between — so replays of any
//    part of the stream, before or after the chunk, leave the same final state;
//  - a TRUNCATE of the table in the window drops the whole chunk: rows of S may all be gone, and a chunk write
//    newer than the truncate would bring them back (rows inserted after it are window keys, streamed);
//  - keys compare as keyString (canonical; the stream's decoded keys and the chunk's decodeText keys agree).
//    Transactions seen before arming count too (`earlier`, kept by the worker while a table is re-synced): a
//    commit can stall for longer than a round trip (a synchronous-replication wait).
import { keyString, type Key } from "../model/key";
import type { RowChange, ObservedTx } from "../model/changes";
import type { Lsn } from "../model/lsn";
import { parseWatermark, type WatermarkId } from "./watermark";

export type WindowEvent = { kind: "none" } | { kind: "low"; lsn: Lsn } | { kind: "high"; lsn: Lsn };

export class ChunkWindow {
  private phase: "armed" | "open" | "closed" = "armed";
  /** Xids of transactions that changed the table, seen after arming and committed before L. */
  private readonly beforeLow = new Set<number>();
  private readonly inWindow = new Set<string>();
  private truncated = false;
  lowLsn: Lsn | null = null;
  highLsn: Lsn | null = null;

  constructor(
    readonly id: WatermarkId,
    /** PostgreSQL name of the table being copied. */
    readonly table: string,
  ) {}

  get closed(): boolean {
    return this.phase === "closed";
  }

  /** Feeds one stream transaction, in stream order (a reconnect may deliver some again). */
  observe(tx: ObservedTx): WindowEvent {
    if (this.phase === "closed") return { kind: "none" };
    for (const m of tx.messages ?? []) {
      const w = parseWatermark(m);
      if (!w || w.resync !== this.id.resync || w.chunk !== this.id.chunk) continue;
      if (w.edge === "low" && this.phase === "armed") {
        this.phase = "open";
        this.lowLsn = tx.commitLsn;
        return { kind: "low", lsn: tx.commitLsn };
      }
      if (w.edge === "high" && this.phase === "open") {
        this.phase = "closed";
        this.highLsn = tx.commitLsn;
        return { kind: "high", lsn: tx.commitLsn };
      }
    }
    for (const c of tx.changes) this.record(tx, c);
    return { kind: "none" };
  }

  /**
   * The chunk rows to write at H: those whose key no change in the window touched; none when the table was
   * truncated meanwhile. Null when a transaction invisible to the chunk's snapshot (`xip`, as 32-bit xids)
   * changed the table before L (seen since arming, or in `earlier`: xid → commit LSN): read the chunk again.
   */
  remaining<R>(rows: readonly R[], keyOf: (r: R) => Key, xip: ReadonlySet<number>, earlier: ReadonlyMap<number, Lsn> = new Map()): R[] | null {
    for (const xid of this.beforeLow) if (xip.has(xid)) return null;
    for (const [xid, commit] of earlier) if (xip.has(xid) && this.lowLsn !== null && commit < this.lowLsn) return null;
    if (this.truncated) return [];
    return rows.filter((r) => !this.inWindow.has(keyString(keyOf(r))));
  }

  /** By commit position, not arrival: a transaction delivered again after L but committed before it is a pre-L one. */
  private record(tx: ObservedTx, c: RowChange): void {
    const keys = changedKeys(this.table, c);
    if (keys === null) return;
    if (this.lowLsn === null || tx.commitLsn < this.lowLsn) this.beforeLow.add(tx.xid);
    else if (keys === "truncate") this.truncated = true;
    else for (const k of keys) this.inWindow.add(k);
  }
}

/** Keys of `table` a change touches (both keys of a moved row), "truncate", or null when it is another table's. */
export function changedKeys(table: string, c: RowChange): string[] | "truncate" | null {
  if (c.kind === "truncate") return c.tables.includes(table) ? "truncate" : null;
  if (c.table !== table) return null;
  if (c.kind === "update" && c.oldKey) return [keyString(c.key), keyString(c.oldKey)];
  return [keyString(c.key)];
}
