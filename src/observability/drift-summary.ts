// Schema drift in `status` (pg2c_drift, mirror-functions/apply/drift.ts): which table columns differ from the
// definitions, what kind of difference, how many rows kept raw values, and the fix.
import type { ConvexClient } from "../convex-client/client";
import { Pg2ConvexError } from "../errors";
import type { DriftSummary } from "../mirror-functions/apply/drift";

export interface DriftReport {
  /** null: the deployment's functions predate drift records. */
  readonly tables: readonly DriftSummary[] | null;
}

export async function readDriftSummary(client: ConvexClient): Promise<DriftReport> {
  try {
    const { tables } = await client.query<{ tables: DriftSummary[] }>("listDrift", {});
    return { tables };
  } catch (e) {
    if (e instanceof Pg2ConvexError && e.code === "CONVEX_FUNCTIONS_MISSING") return { tables: null };
    throw e;
  }
}

export function driftLines(r: DriftReport): string[] {
  if (r.tables === null) return ["schema drift: unknown (deploy the current mirror functions: listDrift is missing)"];
  if (r.tables.length === 0) return ["schema drift: none"];
  const lines = [`schema drift: ${r.tables.length} table column(s) differ from the definitions (values kept in pg2c_drift)`];
  for (const t of r.tables) lines.push(`  DRIFTED ${t.column ? `${t.table}.${t.column}` : t.table} [${t.kinds.join(", ")}] ${t.rows > 0 ? `${t.rows} row(s) kept; ` : ""}${t.detail}`);
  const names = [...new Set(r.tables.map((t) => t.table))];
  lines.push(`  fix: pg2convex init --check, update the definitions and deploy, then ${names.map((n) => `pg2convex resync --table ${n}`).join("; ")}`);
  return lines;
}
