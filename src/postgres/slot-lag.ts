// The commit time of the oldest mirrored change a slot has not confirmed yet: what "lag in seconds" means for
// `status`. Read with pg_logical_slot_peek_changes, which moves nothing (the slot keeps its position) but needs
// the slot inactive (it fails while a bridge streams it; the bridge then reports its own lag on /metrics).
// Only the first `limit` records are decoded: a backlog longer than that without any mirrored change is
// reported as "not found", never as a guess.
import type pg from "pg";

export type OldestUnapplied = { kind: "none" } | { kind: "found"; commitTime: Date } | { kind: "not-found-within"; records: number };

export async function oldestUnappliedCommit(client: pg.ClientBase, slot: string, addTables: string, limit = 20_000): Promise<OldestUnapplied> {
  const { rows } = await client.query<{ data: string }>("SELECT data FROM pg_logical_slot_peek_changes($1, NULL, $2, 'format-version', '2', 'include-transaction', '1', 'include-timestamp', '1', 'add-tables', $3)", [slot, limit, addTables]);
  let begin: string | undefined;
  for (const { data } of rows) {
    const rec = JSON.parse(data) as { action: string; timestamp?: string };
    if (rec.action === "B") begin = rec.timestamp;
    else if (rec.action === "I" || rec.action === "U" || rec.action === "D" || rec.action === "T") {
      if (begin !== undefined) return { kind: "found", commitTime: new Date(begin.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")) };
    }
  }
  return rows.length >= limit ? { kind: "not-found-within", records: rows.length } : { kind: "none" };
}
