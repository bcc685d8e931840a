// The parity history as `pg2convex status` shows it: per table, "green since …" for the migration gate
// (parity checks green for GATE_DAYS days) and the last drift seen.
import type { ParityTableState } from "../mirror-functions/parity/parity-history";
import type { MirrorReader } from "../convex-client";

export const GATE_DAYS = 7;
const DAY = 86_400_000;

export interface TableParityStatus {
  table: string;
  /** ISO time since which every sample/full run was clean; null when the last run found drift or none ran. */
  greenSince: string | null;
  greenDays: number | null;
  gateMet: boolean;
  lastRunAt: string | null;
  lastMode: string | null;
  lastVerdict: "clean" | "drift" | null;
  lastDriftAt: string | null;
  lastDrift: string | null;
}

/** Null when the history cannot be read, typically a deployment without parity functions (deployed before parity existed). */
export async function readParityStatus(reader: MirrorReader, tables: readonly string[], now = Date.now()): Promise<TableParityStatus[] | null> {
  let states: ParityTableState[];
  try {
    states = await reader.client.query<ParityTableState[]>("parityStatus", {});
  } catch {
    return null;
  }
  const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());
  return tables.map((table) => {
    const s = states.find((x) => x.table === table);
    const days = s?.greenSince != null ? (now - s.greenSince) / DAY : null;
    return {
      table,
      greenSince: iso(s?.greenSince),
      greenDays: days === null ? null : Math.round(days * 10) / 10,
      gateMet: days !== null && days >= GATE_DAYS,
      lastRunAt: iso(s?.lastRunAt),
      lastMode: s?.lastMode ?? null,
      lastVerdict: s?.lastVerdict ?? null,
      lastDriftAt: iso(s?.lastDriftAt),
      lastDrift: s?.lastDrift ? s.lastDrift.summary : null,
    };
  });
}

export function parityLines(status: TableParityStatus[] | null): string[] {
  if (status === null) return ["parity: history unavailable (deploy the current mirror functions: parityStatus is missing)"];
  const w = Math.max(5, ...status.map((s) => s.table.length));
  const lines = [`parity (gate: green for ${GATE_DAYS} days)`];
  for (const s of status) {
    const name = s.table.padEnd(w);
    const drift = s.lastDriftAt ? `   last drift ${s.lastDriftAt}: ${s.lastDrift}` : "";
    if (!s.lastRunAt) lines.push(`${name}  never checked`);
    else if (s.greenSince) lines.push(`${name}  parity green since ${s.greenSince} (${s.greenDays} d, gate ${s.gateMet ? "met" : "not yet"}; last run ${s.lastRunAt}, ${s.lastMode})${drift}`);
    else if (s.lastVerdict === "drift") lines.push(`${name}  DRIFT (last run ${s.lastRunAt}, ${s.lastMode})${drift}`);
    else lines.push(`${name}  no clean sample/full run yet (last run ${s.lastRunAt}, ${s.lastMode})${drift}`);
  }
  return lines;
}
