// Lag awareness. Facts relied on:
//  - A REPEATABLE READ transaction's snapshot is taken by its first statement; an insert LSN read in that
//    statement is ≥ the commit record of every transaction the snapshot sees.
//  - The mirror has applied every transaction committed before LSN L once its Convex checkpoint commitLsn
//    ≥ L (batches carry whole transactions in commit order) or the slot's confirmed_flush_lsn ≥ L (the
//    bridge confirms only what is durable in Convex).
//  - With no mirrored writes, neither moves; a transactional logical message (skipped by the decoder)
//    lets the bridge confirm an empty transaction past L, within its status interval (≤ 10 s).
import type pg from "pg";
import { formatLsn, parseLsn, type Lsn } from "../model/lsn";
import { slotInfo } from "../postgres";
import type { ConvexParity } from "./convex-side";

export interface PgSnapshot {
  xmin: bigint;
  xmax: bigint;
  xip: bigint[];
}

export interface StartPoint {
  lsn: Lsn;
  snapshot: PgSnapshot;
  at: Date;
}

/** Opens the run's REPEATABLE READ snapshot on `client` (COMMIT it when the first pass is done). */
export async function beginSnapshot(client: pg.ClientBase): Promise<StartPoint> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const { rows } = await client.query("SELECT pg_current_wal_insert_lsn()::text AS lsn, pg_current_snapshot()::text AS snap, now() AS at");
  return { lsn: parseLsn(rows[0].lsn), snapshot: parseSnapshot(rows[0].snap), at: new Date(rows[0].at) };
}

export async function insertLsn(client: pg.ClientBase): Promise<Lsn> {
  return parseLsn((await client.query("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows[0].lsn);
}

export function parseSnapshot(text: string): PgSnapshot {
  const [xmin, xmax, xip] = text.split(":");
  return { xmin: BigInt(xmin!), xmax: BigInt(xmax!), xip: xip ? xip.split(",").filter(Boolean).map(BigInt) : [] };
}

/** True when the row version written by 32-bit `xid` (a tuple's xmin) is not visible in `snap`. */
export function writtenAfter(snap: PgSnapshot, xid: string): boolean {
  const x = BigInt(xid);
  if (x < 3n) return false; // bootstrap / frozen
  const epoch = snap.xmax >> 32n;
  let full = (epoch << 32n) | x;
  if (full > snap.xmax) full -= 1n << 32n;
  if (full < snap.xmin) return false;
  return full >= snap.xmax || snap.xip.includes(full);
}

export interface MirrorProgress {
  reached: boolean;
  waitedMs: number;
  /** The furthest of the Convex checkpoint and the slot's confirmed_flush_lsn. */
  mirrorLsn: Lsn | null;
  /** False when no bridge is streaming the slot (then waiting cannot help). */
  streaming: boolean;
}

/** Waits (at most `maxWaitMs`) until the mirror has applied everything committed before `target`. */
export async function waitForMirror(client: pg.ClientBase, convex: ConvexParity, slot: string, target: Lsn, maxWaitMs: number): Promise<MirrorProgress> {
  const t0 = Date.now();
  let nudged = false;
  for (;;) {
    const [info, state] = await Promise.all([slotInfo(client, slot), convex.state(slot)]);
    const lsns = [state.commitLsn, info.exists ? info.confirmedFlushLsn : null].filter((l): l is Lsn => l !== null);
    const mirrorLsn = lsns.length ? lsns.reduce((a, b) => (a > b ? a : b)) : null;
    const waitedMs = Date.now() - t0;
    if (mirrorLsn !== null && mirrorLsn >= target) return { reached: true, waitedMs, mirrorLsn, streaming: true };
    const streaming = info.exists && info.active;
    if (!streaming || waitedMs >= maxWaitMs) return { reached: false, waitedMs, mirrorLsn, streaming };
    if (!nudged) {
      nudged = true;
      // Best effort: a role without the privilege just waits for ordinary traffic.
      await client.query("SELECT pg_logical_emit_message(true, 'pg2convex.parity', $1)", [formatLsn(target)]).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, Math.min(200, Math.max(1, maxWaitMs - waitedMs))));
  }
}
