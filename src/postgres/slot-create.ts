// Creating the mirror's slot together with an exported snapshot. The snapshot shows exactly the rows
// committed before the slot's consistent point, and the slot streams exactly the changes after it, so a
// backfill read under the snapshot plus the stream misses and repeats nothing. PostgreSQL keeps the
// snapshot importable only while the creating replication connection stays open and runs nothing else:
// the returned object owns that connection until release().
// Under wal2json 2.5 the values slot (values-slot.ts) is created first, so it decodes every transaction the
// mirror's slot will stream.
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import { parseLsn, type Lsn } from "../model/lsn";
import { connectPg } from "./connect";
import { quoteIdent, validateSlotName } from "./ident";
import { errorMessage, isMissingPlugin, sqlState } from "./pg-error";
import { probeNumericAsString } from "./numeric-probe";
import { ensureValuesSlot } from "./values-slot";

export interface ExportedSlot {
  readonly slot: string;
  /** The first LSN the slot will stream; everything before it is in the snapshot. */
  readonly consistentPoint: Lsn;
  /** For `SET TRANSACTION SNAPSHOT '<name>'` in a REPEATABLE READ transaction on another connection. */
  readonly snapshotName: string;
  /** Closes the replication connection; the snapshot dies with it, the slot stays. Idempotent. */
  release(): Promise<void>;
}

export async function createSlotWithSnapshot(connectionString: string, slot: string): Promise<ExportedSlot> {
  validateSlotName(slot);
  // The replication connection comes first: a server that cannot replicate fails here, with its own message.
  const client = await connectPg(connectionString, { replication: "database" });
  // A dropped connection while holding must not crash the process; importing the snapshot then fails clearly.
  client.on("error", () => undefined);
  let row: { consistent_point: string; snapshot_name: string };
  try {
    await createValuesSlotIfNeeded(connectionString, slot);
    const r = await client.query(`CREATE_REPLICATION_SLOT ${quoteIdent(slot)} LOGICAL wal2json EXPORT_SNAPSHOT`);
    row = r.rows[0];
  } catch (e) {
    await client.end().catch(() => undefined);
    throw slotCreateError(e, slot, client);
  }
  let released: Promise<void> | undefined;
  return {
    slot,
    consistentPoint: parseLsn(row.consistent_point),
    snapshotName: row.snapshot_name,
    release: () => (released ??= client.end().catch(() => undefined)),
  };
}

/** Under wal2json 2.5 the values slot must exist before the mirror's slot (values-slot.ts). */
async function createValuesSlotIfNeeded(connectionString: string, slot: string): Promise<void> {
  const admin = await connectPg(connectionString);
  try {
    if (!(await probeNumericAsString(admin))) await ensureValuesSlot(admin, slot);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

function slotCreateError(e: unknown, slot: string, client: pg.Client): Pg2ConvexError {
  if (e instanceof Pg2ConvexError) return e;
  const context = { slot, database: client.database, sqlState: sqlState(e) };
  const opts = (fix: string, retryable = false) => ({ context, fix, retryable, cause: e });
  switch (sqlState(e)) {
    case "42710":
      return new Pg2ConvexError("SLOT_EXISTS", `replication slot ${slot} already exists`, opts("run pg2convex teardown first, or use --slot"));
    case "42501":
      return new Pg2ConvexError("PG_CHECK_FAILED", `role ${client.user} may not create replication slots: ${errorMessage(e)}`, opts(`as a superuser: ALTER ROLE ${quoteIdent(client.user ?? "")} REPLICATION;`));
    case "53400":
      return new Pg2ConvexError("PG_CHECK_FAILED", `no free replication slot: ${errorMessage(e)}`, opts("drop an unused slot or raise max_replication_slots and restart PostgreSQL"));
    case "55000": {
      // Both "logical decoding requires wal_level >= logical" and "… max_replication_slots > 0" use 55000.
      const setting = errorMessage(e).includes("max_replication_slots") ? "max_replication_slots = 10" : "wal_level = logical";
      return new Pg2ConvexError("PG_CHECK_FAILED", `cannot create a logical slot: ${errorMessage(e)}`, opts(`run ALTER SYSTEM SET ${setting}; and restart PostgreSQL`));
    }
  }
  if (isMissingPlugin(e, "wal2json")) {
    return new Pg2ConvexError("PG_CHECK_FAILED", "the wal2json output plugin is not installed on the PostgreSQL server", opts("install it on the database server (Debian/Ubuntu: apt-get install postgresql-<major>-wal2json)"));
  }
  return new Pg2ConvexError("PG_CHECK_FAILED", `creating replication slot ${slot} failed: ${errorMessage(e)}`, opts("run pg2convex setup's checks to find the cause, fix it, then retry"));
}
