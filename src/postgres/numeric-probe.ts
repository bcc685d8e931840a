// Whether this server's wal2json accepts numeric-data-types-as-string (wal2json >= 2.6), which prints NaN and
// ±Infinity as text and so needs no values slot. Creates a temporary slot, peeks with the option and drops
// it. False when wal2json rejects the option as unknown (2.5 says: option "numeric-data-types-as-string" =
// "1" is unknown); any other failure is thrown. Creating a logical slot waits for transactions already
// running on the server to finish.
import type pg from "pg";

export async function probeNumericAsString(client: pg.ClientBase): Promise<boolean> {
  const slot = `pg2c_probe_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await client.query("SELECT pg_create_logical_replication_slot($1, 'wal2json', true)", [slot]);
  try {
    await client.query("SELECT count(*) FROM pg_logical_slot_peek_changes($1, NULL, 1, 'format-version', '2', 'numeric-data-types-as-string', '1')", [slot]);
    return true;
  } catch (e) {
    if (/numeric-data-types-as-string.*unknown/.test(String((e as Error)?.message))) return false;
    throw e;
  } finally {
    await client.query("SELECT pg_drop_replication_slot($1)", [slot]).catch(() => undefined);
  }
}
