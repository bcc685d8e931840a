// Server-wide checks: settings, capacity, the connecting role, and the wal2json plugin itself.
import type pg from "pg";
import { quoteIdent } from "../ident";
import { errorMessage, isMissingPlugin, sqlState } from "../pg-error";
import { fail, pass, skip, type CheckResult } from "./report";

export interface ServerFacts {
  readonly versionNum: number;
  readonly walLevel: string;
  readonly maxSlots: number;
  readonly usedSlots: number;
  /** The mirror's own slot already exists (then it needs no free slot). */
  readonly slotExists: boolean;
  readonly maxSenders: number;
  readonly usedSenders: number;
  readonly role: string;
  readonly superuser: boolean;
  readonly replication: boolean;
  readonly bypassRls: boolean;
  readonly database: string;
}

export async function loadServerFacts(client: pg.ClientBase, slot?: string): Promise<ServerFacts> {
  const { rows } = await client.query(
    `SELECT current_setting('server_version_num')::int AS version_num,
            current_setting('wal_level') AS wal_level,
            current_setting('max_replication_slots')::int AS max_slots,
            (SELECT count(*) FROM pg_replication_slots)::int AS used_slots,
            EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = $1) AS slot_exists,
            current_setting('max_wal_senders')::int AS max_senders,
            (SELECT count(*) FROM pg_stat_replication)::int AS used_senders,
            r.rolname AS role, r.rolsuper, r.rolreplication, r.rolbypassrls, current_database() AS database
       FROM pg_roles r WHERE r.rolname = current_user`,
    [slot ?? null],
  );
  const r = rows[0];
  return {
    versionNum: r.version_num,
    walLevel: r.wal_level,
    maxSlots: r.max_slots,
    usedSlots: r.used_slots,
    slotExists: r.slot_exists,
    maxSenders: r.max_senders,
    usedSenders: r.used_senders,
    role: r.role,
    superuser: r.rolsuper,
    replication: r.rolreplication,
    bypassRls: r.rolbypassrls,
    database: r.database,
  };
}

export const canReplicate = (f: ServerFacts) => f.superuser || f.replication;
const major = (f: ServerFacts) => Math.floor(f.versionNum / 10_000);

export function serverChecks(f: ServerFacts): CheckResult[] {
  const out: CheckResult[] = [];
  out.push(
    f.versionNum >= 130_000
      ? pass("server_version", undefined, `PostgreSQL ${major(f)}`)
      : fail("server_version", undefined, `PostgreSQL ${major(f)} is too old: pg2convex needs 13 or later (slot wal_status, temporary slots)`, "upgrade PostgreSQL to 13 or later"),
  );
  out.push(
    f.walLevel === "logical"
      ? pass("wal_level", undefined, "wal_level = logical")
      : fail("wal_level", undefined, `wal_level is ${f.walLevel}; logical decoding needs wal_level = logical`, "run ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL (on RDS/Aurora set rds.logical_replication = 1)"),
  );
  const freeSlots = f.maxSlots - f.usedSlots;
  if (f.maxSlots === 0) out.push(fail("replication_slots", undefined, "max_replication_slots is 0", "run ALTER SYSTEM SET max_replication_slots = 10; and restart PostgreSQL"));
  else if (freeSlots < 1 && !f.slotExists)
    out.push(fail("replication_slots", undefined, `all ${f.maxSlots} replication slots are in use`, `drop an unused slot (SELECT pg_drop_replication_slot(name)) or raise max_replication_slots above ${f.maxSlots} and restart PostgreSQL`));
  else out.push(pass("replication_slots", undefined, `${f.usedSlots} of ${f.maxSlots} replication slots in use`));
  const freeSenders = f.maxSenders - f.usedSenders;
  if (f.maxSenders === 0) out.push(fail("wal_senders", undefined, "max_wal_senders is 0", "run ALTER SYSTEM SET max_wal_senders = 10; and restart PostgreSQL"));
  else if (freeSenders < 1) out.push(fail("wal_senders", undefined, `all ${f.maxSenders} WAL senders are busy`, `raise max_wal_senders above ${f.maxSenders} and restart PostgreSQL`));
  else out.push(pass("wal_senders", undefined, `${f.usedSenders} of ${f.maxSenders} WAL senders busy`));
  out.push(
    canReplicate(f)
      ? pass("replication_role", undefined, `role ${f.role} can replicate (${f.superuser ? "superuser" : "REPLICATION"})`)
      : fail("replication_role", undefined, `role ${f.role} has neither SUPERUSER nor REPLICATION, so it cannot create or read a replication slot`, `as a superuser: ALTER ROLE ${quoteIdent(f.role)} REPLICATION;`),
  );
  return out;
}

/**
 * Creates a temporary logical slot with the plugin and drops it again: the only way to learn whether the
 * server can load wal2json without filesystem access. Creating a logical slot waits for transactions
 * already running, hence the statement timeout.
 */
export async function probePlugin(client: pg.ClientBase, f: ServerFacts, plugin: string, timeoutMs: number): Promise<CheckResult> {
  const name = "wal2json";
  const unchecked = `not checked: creating a probe slot needs`;
  if (f.walLevel !== "logical") return skip(name, undefined, `${unchecked} wal_level = logical`, "fix wal_level (above), then run the checks again");
  if (!canReplicate(f)) return skip(name, undefined, `${unchecked} a role with REPLICATION`, "fix replication_role (above), then run the checks again");
  if (f.maxSlots - f.usedSlots < 1) return skip(name, undefined, `${unchecked} a free replication slot`, "fix replication_slots (above), then run the checks again");
  const probe = `pg2convex_probe_${process.pid}_${Date.now().toString(36)}`;
  try {
    await client.query("BEGIN");
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    await client.query("SELECT pg_create_logical_replication_slot($1, $2, true)", [probe, plugin]);
    await client.query("SELECT pg_drop_replication_slot($1)", [probe]);
    await client.query("COMMIT");
    return pass(name, undefined, `output plugin ${plugin} loads`);
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    // Slot creation is not transactional: drop a probe slot the rollback left behind.
    await client.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active", [probe]).catch(() => undefined);
    if (isMissingPlugin(e, plugin)) {
      return fail(name, undefined, `the ${plugin} output plugin is not installed on the PostgreSQL server`, `install it on the database server (Debian/Ubuntu: apt-get install postgresql-${major(f)}-wal2json; managed services ship it built in)`);
    }
    if (sqlState(e) === "57014") {
      return fail(
        name,
        undefined,
        `creating a probe slot timed out after ${timeoutMs} ms: a long-running transaction is open, and logical slots wait for it`,
        "finish or cancel the long-running transactions shown by SELECT pid, xact_start, query FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY xact_start, then retry",
      );
    }
    return fail(name, undefined, `creating a probe slot with ${plugin} failed: ${errorMessage(e)}`, "fix the PostgreSQL error shown, then run the checks again");
  }
}
