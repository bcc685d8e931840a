// Re-sync watermarks: transactional logical messages (pg_logical_emit_message(true, …)) under one prefix.
// wal2json 2.5 format-version 2 passes them by default, inside their transaction's B/C records (decoder.ts).
// The content names the re-sync request and the chunk, so a watermark replayed after a restart (or of a
// request that was replaced) matches no armed window and is ignored.
import type { TxMessage } from "../model/changes";
import { MESSAGE_PREFIX } from "../model/changes";

export const WATERMARK_PREFIX = `${MESSAGE_PREFIX}watermark`;

export interface WatermarkId {
  /** The re-sync request's id (ResyncProgress.id). */
  readonly resync: string;
  /** Chunk number within this run of the worker (a sweep barrier uses -1). */
  readonly chunk: number;
}

export interface Watermark extends WatermarkId {
  readonly edge: "low" | "high";
}

export function watermarkContent(w: Watermark): string {
  return JSON.stringify({ r: w.resync, c: w.chunk, e: w.edge });
}

export function parseWatermark(m: TxMessage): Watermark | null {
  if (m.prefix !== WATERMARK_PREFIX) return null;
  try {
    const o = JSON.parse(m.content) as { r?: unknown; c?: unknown; e?: unknown };
    if (typeof o.r !== "string" || typeof o.c !== "number" || (o.e !== "low" && o.e !== "high")) return null;
    return { resync: o.r, chunk: o.c, edge: o.e };
  } catch {
    return null;
  }
}
