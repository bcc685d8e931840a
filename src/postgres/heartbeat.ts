// The heartbeat: a transactional logical decoding message written into the mirrored database. Its transaction
// (B, M, C in wal2json format 2; the decoder skips the M record) is an empty transaction the stream confirms
// through a checkpoint-only batch (src/pipeline/empty-checkpoints.ts), so the slot advances, and releases WAL,
// even when no mirrored table changes and only other databases of the server write.
import type pg from "pg";
import { parseLsn, type Lsn } from "../model/lsn";

export const HEARTBEAT_PREFIX = "pg2convex.heartbeat";

/** Writes one heartbeat (its own transaction) and returns the message's LSN. Needs no privilege beyond CONNECT. */
export async function emitHeartbeat(client: pg.ClientBase, content: string): Promise<Lsn> {
  const { rows } = await client.query("SELECT pg_logical_emit_message(true, $1, $2)::text AS lsn", [HEARTBEAT_PREFIX, content]);
  return parseLsn(rows[0].lsn);
}
