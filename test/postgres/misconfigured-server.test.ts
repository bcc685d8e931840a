// A second, deliberately misconfigured cluster (wal_level=replica, no slots, no WAL senders): every
// server-level problem is reported together. The same cluster checks that roleScript's client-side SCRAM
// verifier really logs in, with pg_hba.conf requiring scram-sha-256 for that role.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startCluster, type PgCluster } from "../../src/devtools/pg-cluster";
import { Pg2ConvexError } from "../../src/errors";
import { referenceTables } from "../../tables/reference";
import { connectPg, createSlotWithSnapshot, roleScript, runChecks } from "../../src/postgres";
import { waitUntil } from "../support/wait";

const PASSWORD = "Corr3ct-horse_battery";

describe("a server that cannot replicate", () => {
  let cluster: PgCluster;
  let admin: pg.Client;
  beforeAll(async () => {
    cluster = await startCluster({ settings: { wal_level: "replica", max_replication_slots: 0, max_wal_senders: 0 } });
    admin = new pg.Client(cluster.url("postgres"));
    await admin.connect();
    await admin.query(readFileSync(new URL("../../sql/reference-schema.sql", import.meta.url), "utf8"));
  });
  afterAll(async () => {
    await admin?.end();
    await cluster?.stop();
  });

  it("reports wal_level, slots and WAL senders together, and skips the plugin probe", async () => {
    const report = await runChecks(admin, referenceTables);
    expect(report.failures.map((f) => `${f.level} ${f.name}`)).toEqual(["fail wal_level", "fail replication_slots", "fail wal_senders", "skip wal2json"]);
    const fixes = report.failures.map((f) => f.fix);
    expect(fixes[0]).toMatch(/ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL/);
    expect(fixes[1]).toMatch(/max_replication_slots = 10/);
    expect(fixes[2]).toMatch(/max_wal_senders = 10/);
  });

  it("fails slot creation with a non-retryable PG_CONNECT naming max_wal_senders", async () => {
    const err = await createSlotWithSnapshot(cluster.url("postgres"), "pg2convex").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect((err as Pg2ConvexError).code).toBe("PG_CONNECT");
    expect((err as Pg2ConvexError).retryable).toBe(false);
    expect((err as Pg2ConvexError).fix).toMatch(/max_wal_senders/);
  });

  it("sets a SCRAM verifier that PostgreSQL accepts for the real password only", async () => {
    const role = "pg2c_scram";
    const script = roleScript({ role, tables: referenceTables, database: "postgres", password: PASSWORD });
    expect(script).not.toContain(PASSWORD);
    await admin.query(script);
    const hba = join(cluster.dir, "data", "pg_hba.conf");
    writeFileSync(hba, `host all ${role} 127.0.0.1/32 scram-sha-256\n` + readFileSync(hba, "utf8"));
    // pg_reload_conf() only signals the postmaster. A backend started after the postmaster reloaded its
    // configuration (pg_conf_load_time moved) was forked after it reread pg_hba.conf in the same SIGHUP pass.
    const loadTime = async () => {
      const c = new pg.Client(cluster.url("postgres"));
      await c.connect();
      try {
        return (await c.query("SELECT pg_conf_load_time()::text AS t")).rows[0].t as string;
      } finally {
        await c.end();
      }
    };
    const before = await loadTime();
    await admin.query("SELECT pg_reload_conf()");
    await waitUntil("the postmaster to reload pg_hba.conf", async () => (await loadTime()) !== before);

    const base = new URL(cluster.url("postgres"));
    const url = (pw: string) => `postgres://${role}:${encodeURIComponent(pw)}@${base.host}/postgres`;
    const c = await connectPg(url(PASSWORD));
    expect((await c.query("SELECT current_user u")).rows[0].u).toBe(role);
    await c.end();

    const err = await connectPg(url("wrong-password")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect((err as Pg2ConvexError).context.sqlState).toBe("28P01");
    expect((err as Pg2ConvexError).retryable).toBe(false);
    expect((err as Error).message).not.toContain("wrong-password");
  });
});
