// `pg2convex status`: the mirror's checkpoint, the slot's lag, and per-table row counts on both sides.
import { loadConfig } from "../../config/load";
import { loadTableSet, selectTables } from "../../definitions/select";
import { connectPg, slotInfo, qualified } from "../../postgres";
import { createMirrorReader, FAIL_FAST_RETRIES } from "../../convex-client";
import { formatLsn } from "../../model/lsn";
import { parityLines, readParityStatus } from "../../parity/status";
import { readRejectSummary, rejectLines } from "../../observability/reject-summary";
import { migrationLines, readMigration } from "./status-migration";
import { statusLagSeconds } from "./status-lag";
import { describe as describeResync } from "./resync";
import { driftLines, readDriftSummary } from "../../observability/drift-summary";
import { missingTables } from "../../postgres/table-size";

const HELP = `usage: pg2convex status [--json] [connection options as for run]

Shows the durable checkpoint in Convex, the slot's lag (bytes of WAL not yet confirmed, and seconds: the age
of the commit of the oldest mirrored change not yet in Convex, 0 when caught up — read from the slot when no
bridge streams it, from the running bridge's /metrics (--metrics-host/--metrics-port) when one does), WAL
retained by the slot, per-table row counts in PostgreSQL and Convex,
per table the parity history: "parity green since …" (the 7-day gate) and the last drift seen, and the
unresolved rejects (rows recorded in pg2c_reject that no newer version of the row has settled yet): their
count and the most recent few (table, key, LSN, code).`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config, extra } = loadConfig(argv, process.env, { json: { type: "boolean" } });
  const { tables } = selectTables(await loadTableSet(config.tablesModule), config.tables);
  const pg = await connectPg(config.databaseUrl);
  const reader = createMirrorReader({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: Math.min(config.retries, FAIL_FAST_RETRIES) });
  try {
    const [slot, state] = await Promise.all([slotInfo(pg, config.slot), reader.state(config.slot)]);
    const lagBytes = slot.exists ? slot.lagBytes : null;
    const lagSeconds = slot.exists ? await statusLagSeconds({ pg, config, tables, active: slot.active, lagBytes }) : null;
    const counts = [];
    // A mirrored table dropped in PostgreSQL: said plainly (its documents stay in Convex), not "relation … does not exist".
    const missing = new Set((await missingTables(pg, tables)).map((t) => t.name));
    for (const t of tables) {
      if (missing.has(t.name)) {
        counts.push({ table: t.name, postgres: null, convex: await reader.countRows(t.convexName), missing: `${t.schema}.${t.name} does not exist in PostgreSQL (dropped?): its Convex documents are stale` });
        continue;
      }
      const pgCount = Number((await pg.query(`SELECT count(*) AS n FROM ${qualified(t)}`)).rows[0].n);
      counts.push({ table: t.name, postgres: pgCount, convex: await reader.countRows(t.convexName) });
    }
    const parity = await readParityStatus(
      reader,
      tables.map((t) => t.name),
    );
    const rejects = await readRejectSummary(reader.client);
    const migration = await readMigration(
      reader.client,
      tables.map((t) => t.name),
      config.gateDays,
    );
    const drift = await readDriftSummary(reader.client);
    const report = {
      slot: config.slot,
      phase: state.phase,
      checkpoint: state.commitLsn === null ? null : formatLsn(state.commitLsn),
      slotExists: slot.exists,
      slotActive: slot.exists ? slot.active : false,
      confirmedFlushLsn: slot.exists && slot.confirmedFlushLsn !== null ? formatLsn(slot.confirmedFlushLsn) : null,
      lagBytes: lagBytes === null ? null : Number(lagBytes),
      lagSeconds,
      retainedWalBytes: slot.exists ? Number(slot.retainedBytes) : null,
      tables: counts,
      parity,
      rejects,
      migration,
      resync: (state.resync ?? []).map((r) => ({ table: r.table, phase: r.phase, rows: r.rows, requestedAt: new Date(r.requestedAt).toISOString() })),
      drift,
    };
    if (extra.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(`slot ${report.slot}: ${report.slotExists ? (report.slotActive ? "active" : "inactive") : "MISSING"}   phase: ${report.phase}`);
    console.log(`checkpoint ${report.checkpoint ?? "-"}   confirmed_flush ${report.confirmedFlushLsn ?? "-"}`);
    console.log(`lag ${report.lagBytes ?? "-"} bytes, ${report.lagSeconds === null ? "? " : `${report.lagSeconds}`}s   WAL retained ${report.retainedWalBytes ?? "-"} bytes`);
    console.log(rejectLines(rejects).join("\n"));
    for (const r of state.resync ?? []) console.log(`re-sync ${r.table}: ${describeResync(r)}`);
    console.log(driftLines(drift).join("\n"));
    console.log(renderCounts(counts));
    console.log(parityLines(parity).join("\n"));
    console.log(migrationLines(migration).join("\n"));
    return 0;
  } finally {
    await pg.end();
  }
}

export function renderCounts(rows: Array<{ table: string; postgres: number | null; convex: number; missing?: string }>): string {
  const w = Math.max(5, ...rows.map((r) => r.table.length));
  const lines = [`${"table".padEnd(w)}  ${"postgres".padStart(9)}  ${"convex".padStart(9)}  match`];
  for (const r of rows) lines.push(`${r.table.padEnd(w)}  ${String(r.postgres ?? "MISSING").padStart(9)}  ${String(r.convex).padStart(9)}  ${r.missing ? `NO: ${r.missing}` : r.postgres === r.convex ? "yes" : "NO"}`);
  return lines.join("\n");
}
