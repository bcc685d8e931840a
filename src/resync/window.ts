// One chunk's watermark window (DBLog / Debezium incremental snapshots), as pure logic. The worker
// (resyncer.ts) arms a window, emits the low watermark L, reads the chunk (rows with key > cursor, in key order,
// LIMIT n, in one REPEATABLE READ snapshot S taken after L committed), then emits the high watermark H. Both
// watermarks are transactional logical messages in their own transactions, so the stream sees them at their
// commit positions, in commit order with every other transaction. Invariants:
//  - every stream change of the table between L and H (in stream order) names a key the chunk must not write:
//    such a change may or may not be in S, and the stream applies it at its own version anyway;
//  - a transaction that committed before L but was still running in S (its commit record precedes L while its
//    snapshot visibility lagged, e.g. a synchronous-replication wait) is invisible to S too: keys written by a
//    transaction seen after arming and before L whose xid is in S's xip list are dropped as well;
//  - every other chunk row is PostgreSQL's row as of H: it is in S, and nothing changed it between S and H (that
//    change would be in the window). It is written at version H (H's commit LSN): a stream change before L
//    (older) loses to it, one after H (newer) wins, and no change of that key lies between — so replays of any
//    part of the stream, before or after the chunk, leave the same final state;
//  - a TRUNCATE of the table in the window (or by such an invisible transaction) drops the whole chunk: rows of
//    S may all be gone, and a chunk write newer than the truncate would bring them back;
//  - keys compare as keyString (canonical; the stream's decoded keys and the chunk's decodeText keys agree).
// Not covered: a transaction whose commit record precedes the arming of the window and that is still invisible
// when S is taken; arming is immediately before L, so that needs a commit stalled for L's whole round trip.
import { keyString, type Key } from "../model/key";
import type { RowChange, SourceTransaction } from "../model/changes";
import type { Lsn } from "../model/lsn";
import { parseWatermark, type WatermarkId } from "./watermark";

export type WindowEvent = { kind: "none" } | { kind: "low"; lsn: Lsn } | { kind: "high"; lsn: Lsn };

export class ChunkWindow {
  private phase: "armed" | "open" | "closed" = "armed";
  /** Keys (and truncates) of the table per xid, seen after arming and before L. */
  private readonly beforeLow = new Map<number, Set<string> | "truncate">();
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

  /** Feeds one stream transaction, in stream order. */
  observe(tx: SourceTransaction): WindowEvent {
    if (this.phase === "closed") return { kind: "none" };
    for (const c of tx.changes) this.record(tx.xid, c);
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
    return { kind: "none" };
  }

  /**
   * The chunk rows to write at H: those whose key no change in the window (or by a transaction invisible to
   * the chunk's snapshot, `xip` as 32-bit xids) touched. Empty when the table was truncated meanwhile.
   */
  remaining<R>(rows: readonly R[], keyOf: (r: R) => Key, xip: ReadonlySet<number>): R[] {
    const dropped = new Set(this.inWindow);
    let truncated = this.truncated;
    for (const [xid, keys] of this.beforeLow) {
      if (!xip.has(xid)) continue;
      if (keys === "truncate") truncated = true;
      else for (const k of keys) dropped.add(k);
    }
    if (truncated) return [];
    return rows.filter((r) => !dropped.has(keyString(keyOf(r))));
  }

  private record(xid: number, c: RowChange): void {
    const keys = changedKeys(this.table, c);
    if (keys === null) return;
    if (this.phase === "open") {
      if (keys === "truncate") this.truncated = true;
      else for (const k of keys) this.inWindow.add(k);
      return;
    }
    const seen = this.beforeLow.get(xid);
    if (keys === "truncate" || seen === "truncate") this.beforeLow.set(xid, "truncate");
    else this.beforeLow.set(xid, new Set([...(seen ?? []), ...keys]));
  }
}

/** Keys of `table` a change touches (both keys of a moved row), "truncate", or null when it is another table's. */
export function changedKeys(table: string, c: RowChange): string[] | "truncate" | null {
  if (c.kind === "truncate") return c.tables.includes(table) ? "truncate" : null;
  if (c.table !== table) return null;
  if (c.kind === "update" && c.oldKey) return [keyString(c.key), keyString(c.oldKey)];
  return [keyString(c.key)];
}
