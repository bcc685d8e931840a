// The migration part of `pg2convex status`: one line per table (phase, read flag, whether reads would be
// served by Convex now and why not), then the checklist and the latest events.
import type { ConvexClient } from "../../convex-client";
import type { MigrationRow } from "../../mirror-functions/control/status";

export interface MigrationStatus {
  heartbeat: { at: number; lagSeconds: number } | null;
  tables: MigrationRow[];
}

export const readMigration = (client: ConvexClient, tables: string[], gateDays?: number) => client.query<MigrationStatus>("migrationStatus", { tables, events: 3, ...(gateDays === undefined ? {} : { gateDays }) });

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

export function migrationLines(m: MigrationStatus): string[] {
  const hb = m.heartbeat ? `sidecar heartbeat ${Math.round((Date.now() - m.heartbeat.at) / 1000)} s ago, lag ${m.heartbeat.lagSeconds} s` : "no sidecar heartbeat in Convex";
  const w = Math.max(5, ...m.tables.map((t) => t.table.length));
  const out = [`migration (${hb})`, `${"table".padEnd(w)}  ${"phase".padEnd(14)} ${"reads".padStart(5)}  serving`];
  for (const t of m.tables) {
    const serving = t.percent === 0 ? "postgres" : t.unfit.length ? `postgres (fallback: ${t.unfit.join("; ")})` : `convex for ${t.percent}% of callers`;
    out.push(`${t.table.padEnd(w)}  ${t.phase.padEnd(14)} ${`${t.percent}%`.padStart(5)}  ${serving}`);
  }
  for (const t of m.tables.filter((x) => x.percent > 0 || x.events.length > 0 || x.checklist.some((c) => c.at !== null))) {
    const done = t.checklist.filter((c) => c.at !== null).map((c) => c.item);
    out.push(`  ${t.table}: checklist ${done.length}/${t.checklist.length}; dead letters ${t.deadLetters}; parity green since ${iso(t.greenSince)}`);
    for (const c of t.checklist) out.push(`    [${c.at === null ? " " : "x"}] ${c.item}${c.at === null ? "" : ` since ${iso(c.at)}: ${c.proof}`}`);
    for (const e of t.events) out.push(`    ${iso(e.at)} ${e.kind} by ${e.actor}: ${e.detail}`);
  }
  return out;
}
