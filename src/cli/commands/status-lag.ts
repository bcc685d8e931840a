// `status`'s lag in seconds: the age of the commit of the oldest mirrored change not yet durable in Convex, 0
// when caught up (WAL of unmirrored tables or other databases is not lag). Two sources, one meaning:
//  - no bridge streams the slot: PostgreSQL decodes the slot from its confirmed position (peek: nothing moves)
//    up to the first mirrored change;
//  - a bridge streams it: the slot cannot be peeked, and the bridge knows exactly (pg2convex_lag_seconds on its
//    /metrics, at --metrics-host/--metrics-port). null when neither can say.
import type pg from "pg";
import type { Config } from "../../config/schema";
import type { TableSet } from "../../definitions/types";
import { addTablesOption } from "../../source/wal2json-options";
import { oldestUnappliedCommit } from "../../postgres/slot-lag";

export async function statusLagSeconds(opts: { pg: pg.ClientBase; config: Config; tables: TableSet; active: boolean; lagBytes: bigint | null }): Promise<number | null> {
  if (opts.lagBytes === null) return null;
  if (opts.lagBytes <= 0n) return 0;
  if (opts.active) return bridgeLagSeconds(opts.config);
  const oldest = await oldestUnappliedCommit(opts.pg, opts.config.slot, addTablesOption(opts.tables)).catch(() => null);
  if (oldest === null || oldest.kind === "not-found-within") return null;
  return oldest.kind === "none" ? 0 : Math.max(0, Math.round((Date.now() - oldest.commitTime.getTime()) / 1000));
}

async function bridgeLagSeconds(config: Config): Promise<number | null> {
  if (config.metricsPort === 0) return null;
  try {
    const res = await fetch(`http://${config.metricsHost}:${config.metricsPort}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const line = (await res.text()).split("\n").find((l) => l.startsWith("pg2convex_lag_seconds "));
    return line === undefined ? null : Math.round(Number(line.split(" ")[1]));
  } catch {
    return null;
  }
}
