// The terminal rendering of a parity report (and the lines shared by the markdown one).
import { formatJsonValue, formatKey } from "../model/key";
import { jsonToConvex, type JSONValue } from "convex/values";
import type { JsonValue, ParityReport, RowDrift, TableReport } from "./report";

const MAX_LINES_PER_TABLE = 20;

// The report holds Convex's JSON form (exact); people read int8 as decimal digits and bytes as \x-hex.
export const showJson = (v: JsonValue): string => formatJsonValue(v);
/** A key as formatKey prints it: `9007199254740993`, `"fr"`, `(3, "a")`. */
export const showKey = (key: JsonValue[]): string => {
  try {
    return formatKey(key.map((k) => jsonToConvex(k as JSONValue)));
  } catch {
    return JSON.stringify(key);
  }
};

export function driftLine(table: string, d: RowDrift): string {
  const where = `${table} ${showKey(d.key)}`;
  const note = d.note ? ` [${d.note}]` : "";
  switch (d.kind) {
    case "missing":
      return `${where}: missing in Convex${note}`;
    case "extra":
      return `${where}: in Convex but not in PostgreSQL${note}`;
    case "duplicate":
      return `${where}: more than one Convex document${note}`;
    case "mismatch": {
      const cols = (d.columns ?? []).map((c) => `${c}: ${showJson(d.postgres?.[c] ?? null)} in PostgreSQL, ${showJson(d.convex?.[c] ?? null)} in Convex`);
      return `${where}: differs in ${(d.columns ?? []).join(", ") || "?"}${cols.length ? ` — ${cols.join("; ")}` : ""}${note}`;
    }
  }
}

/** Every problem of a table as one line each (rows, counts, invariants), capped. */
export function problemLines(t: TableReport, cap = MAX_LINES_PER_TABLE): string[] {
  const lines = t.rows.drift.map((d) => driftLine(t.table, d));
  if (t.counts.status === "drift") lines.push(`${t.table}: ${t.counts.postgres} rows in PostgreSQL, ${t.counts.convex} in Convex`);
  for (const v of t.invariants.drift) lines.push(`${t.table} ${showKey(v.key)}: ${v.kind} field ${v.field} is ${showJson(v.actual)}, its definition gives ${showJson(v.expected)}`);
  const total = t.rows.driftTotal + t.invariants.driftTotal + (t.counts.status === "drift" ? 1 : 0);
  const shown = lines.slice(0, cap);
  if (total > shown.length) shown.push(`${t.table}: … ${total - shown.length} more (see the JSON report)`);
  return shown;
}

export function renderText(r: ParityReport): string {
  const out: string[] = [];
  const lag = r.lag.caughtUp ? `mirror caught up in ${(r.lag.waitedMs / 1000).toFixed(1)}s` : `MIRROR BEHIND: checkpoint ${r.lag.mirrorLsn ?? "-"}${r.lag.streaming ? "" : " (no bridge streaming the slot)"}`;
  out.push(`pg2convex parity — mode ${r.mode}${r.sample ? ` (${r.sample} keys per table)` : ""}, slot ${r.slot}, start LSN ${r.lag.startLsn}, ${lag}`);
  const w = Math.max(5, ...r.tables.map((t) => t.table.length));
  const cols = ["postgres", "convex", "checked", "drift", "in-flight", "invariants", "source", "verdict"];
  out.push(`${"table".padEnd(w)}  ${cols.map((c) => c.padStart(10)).join(" ")}`);
  for (const t of r.tables) {
    const cells = [t.counts.postgres ?? "-", t.counts.convex ?? "-", t.rows.checked, t.rows.driftTotal, t.rows.inFlight + t.invariants.inFlight, t.invariants.driftTotal, t.source.driftTotal, t.verdict === "drift" ? "DRIFT" : "clean"];
    out.push(`${t.table.padEnd(w)}  ${cells.map((c) => String(c).padStart(10)).join(" ")}`);
  }
  for (const t of r.tables) for (const line of problemLines(t)) out.push(`DRIFT ${line}`);
  for (const t of r.tables) for (const s of t.source.drift.slice(0, 5)) out.push(`source ${t.table} ${showKey(s.key)}: PostgreSQL column ${s.field} holds ${s.stored ?? "NULL"}, its rows give ${s.expected ?? "NULL"} (${s.definition})`);
  const unresolved = r.tables.filter((t) => t.invariants.unresolvedReferences > 0).map((t) => `${t.table} ${t.invariants.unresolvedReferences}`);
  if (unresolved.length) out.push(`unresolved references (parent not in Convex): ${unresolved.join(", ")}`);
  out.push(verdictLine(r));
  return out.join("\n");
}

/** The one-line verdict; it always agrees with the exit code (`r.outcome`). */
export function verdictLine(r: ParityReport): string {
  const sourceTables = r.tables.filter((t) => t.source.driftTotal > 0).length;
  const source = `${r.totals.sourceDrift} PostgreSQL aggregate value(s) in ${sourceTables} table(s) disagree with PostgreSQL's own rows`;
  if (r.verdict === "drift")
    return `verdict: DRIFT in ${r.totals.driftTables} of ${r.totals.tables} tables (${r.totals.rowDrift} rows, ${r.totals.invariantDrift} invariant violations); ${r.totals.inFlight} in flight${r.outcome.failing.includes("source-drift") ? `; SOURCE DRIFT too: ${source}` : ""}`;
  if (r.outcome.failing.includes("source-drift")) return `verdict: SOURCE DRIFT — the mirror matches PostgreSQL, but ${source}; failing because of --fail-on-source-drift`;
  return `verdict: clean (${r.totals.tables} tables; ${r.totals.inFlight} rows in flight, not drift)${r.totals.sourceDrift > 0 ? `; note: ${source} (source-side, not failing)` : ""}`;
}
