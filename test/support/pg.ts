// Per-test-file database on the shared cluster. Each call makes a fresh database, so slots, tables and
// data never leak between files.
import { inject } from "vitest";
import pg from "pg";

let counter = 0;

export interface TestDatabase {
  url: string;
  name: string;
  /** A connected client; closed by drop(). */
  client: pg.Client;
  drop(): Promise<void>;
}

/** `adminUrl` defaults to the run's shared cluster; a test that needs other server settings passes its own. */
export async function createTestDatabase(prefix = "t", adminUrl?: string): Promise<TestDatabase> {
  const admin = adminUrl ?? inject("pgAdminUrl");
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const root = new pg.Client(admin);
  await root.connect();
  await root.query(`CREATE DATABASE ${name}`);
  await root.end();
  const url = admin.replace(/\/[^/]*$/, `/${name}`);
  const client = new pg.Client(url);
  await client.connect();
  return {
    url,
    name,
    client,
    async drop() {
      await client.end().catch(() => undefined);
      const r = new pg.Client(admin);
      await r.connect();
      // Slots pin a database: drop them first so DROP DATABASE cannot fail on a leftover slot. A slot still held
      // by the walsender of a bridge the test just killed is freed first (the walsender outlives its client).
      for (let i = 0; i < 50; i++) {
        await r.query("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL", [name]);
        await r.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active", [name]);
        if ((await r.query("SELECT 1 FROM pg_replication_slots WHERE database = $1", [name])).rowCount === 0) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      await r.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await r.end();
    },
  };
}
