// CI renderings of a parity report: markdown (also for $GITHUB_STEP_SUMMARY), JUnit XML (one test case per
// table and check) and GitHub Actions workflow commands (::error / ::warning annotations).
import { problemLines, showKey } from "./render-text";
import type { ParityReport, TableReport } from "./report";

export function renderMarkdown(r: ParityReport): string {
  const icon = r.outcome.exitCode !== 0 ? "❌" : "✅";
  const headline = r.verdict === "drift" ? `drift in ${r.totals.driftTables} of ${r.totals.tables} tables` : r.outcome.failing.includes("source-drift") ? "source-side drift (failing: --fail-on-source-drift)" : "clean";
  const out = [
    `## ${icon} pg2convex parity: ${headline}`,
    "",
    `Mode **${r.mode}**${r.sample ? ` (${r.sample} keys per table)` : ""} · slot \`${r.slot}\` · start LSN \`${r.lag.startLsn}\` · ${r.lag.caughtUp ? `mirror caught up in ${(r.lag.waitedMs / 1000).toFixed(1)} s` : `**mirror behind** (checkpoint \`${r.lag.mirrorLsn ?? "-"}\`)`} · ${(r.durationMs / 1000).toFixed(1)} s`,
    "",
    "| table | PostgreSQL | Convex | checked | drift | in flight | invariants | source-side | verdict |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ...r.tables.map(
      (t) =>
        `| ${t.table} | ${t.counts.postgres ?? "–"} | ${t.counts.convex ?? "–"} | ${t.rows.checked} | ${t.rows.driftTotal} | ${t.rows.inFlight + t.invariants.inFlight} | ${t.invariants.driftTotal} | ${t.source.driftTotal} | ${t.verdict === "drift" ? "❌ drift" : "✅ clean"} |`,
    ),
  ];
  for (const t of r.tables.filter((x) => x.verdict === "drift")) {
    out.push("", `### ${t.table}`, "", ...problemLines(t, 50).map((l) => `- ${escapeMd(l)}`));
  }
  const source = r.tables.filter((t) => t.source.driftTotal > 0);
  if (source.length) {
    out.push("", "### Source-side drift (PostgreSQL's own aggregate columns; not mirror drift)", "");
    for (const t of source) for (const s of t.source.drift.slice(0, 10)) out.push(`- ${t.table} ${escapeMd(showKey(s.key))}: \`${s.field}\` = ${s.stored ?? "NULL"}, rows give ${s.expected ?? "NULL"} (${s.definition})`);
  }
  return out.join("\n") + "\n";
}

const escapeMd = (s: string) => s.replace(/([|*_`<>])/g, "\\$1");

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

interface Case {
  name: string;
  failure: string | null;
  out?: string;
}

function cases(t: TableReport, failOnSourceDrift: boolean): Case[] {
  const rowLines = problemLines({ ...t, counts: { ...t.counts, status: "equal" }, invariants: { ...t.invariants, drift: [], driftTotal: 0 } }, 200);
  const invLines = problemLines({ ...t, rows: { ...t.rows, drift: [], driftTotal: 0 }, counts: { ...t.counts, status: "equal" } }, 200);
  const list: Case[] = [];
  if (t.counts.status !== "not-checked") list.push({ name: "count", failure: t.counts.status === "drift" ? `${t.counts.postgres} rows in PostgreSQL, ${t.counts.convex} in Convex` : null });
  if (t.rows.checked > 0 || t.rows.driftTotal > 0) list.push({ name: "rows", failure: t.rows.driftTotal > 0 ? rowLines.join("\n") : null, out: `${t.rows.checked} rows compared, ${t.rows.inFlight} in flight` });
  if (t.invariants.checked > 0) list.push({ name: "invariants", failure: t.invariants.driftTotal > 0 ? invLines.join("\n") : null, out: `${t.invariants.unresolvedReferences} unresolved references` });
  const sourceLines = t.source.drift.map((s) => `${showKey(s.key)} ${s.field}: stored ${s.stored ?? "NULL"}, rows give ${s.expected ?? "NULL"}`).join("\n");
  if (t.source.checked > 0) list.push({ name: "source-aggregates", failure: failOnSourceDrift && t.source.driftTotal > 0 ? sourceLines : null, out: sourceLines });
  return list;
}

/** One <testsuite> per table; test cases count, rows, invariants, source-aggregates (failing only with --fail-on-source-drift). */
export function renderJunit(r: ParityReport): string {
  const policy = r.outcome.failOnSourceDrift;
  const suites = r.tables.map((t) => {
    const cs = cases(t, policy);
    const body = cs.map((c) => {
      const failure = c.failure === null ? "" : `<failure message="${xml(c.failure.split("\n")[0]!)}">${xml(c.failure)}</failure>`;
      const out = c.out ? `<system-out>${xml(c.out)}</system-out>` : "";
      return `    <testcase classname="parity.${xml(t.table)}" name="${xml(`${t.table} ${c.name}`)}" time="${(t.durationMs / 1000 / Math.max(1, cs.length)).toFixed(3)}">${failure}${out}</testcase>`;
    });
    return `  <testsuite name="${xml(t.table)}" tests="${cs.length}" failures="${cs.filter((c) => c.failure !== null).length}" time="${(t.durationMs / 1000).toFixed(3)}">\n${body.join("\n")}\n  </testsuite>`;
  });
  const failures = r.tables.reduce((a, t) => a + cases(t, policy).filter((c) => c.failure !== null).length, 0);
  const tests = r.tables.reduce((a, t) => a + cases(t, policy).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="pg2convex parity (${r.mode})" tests="${tests}" failures="${failures}" time="${(r.durationMs / 1000).toFixed(3)}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** GitHub Actions workflow commands: one ::error per drifted table (first lines), ::warning for lag, source-side drift ::error only when it fails the run. */
export function renderAnnotations(r: ParityReport): string {
  const esc = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const out: string[] = [];
  for (const t of r.tables.filter((x) => x.verdict === "drift")) out.push(`::error title=${esc(`parity drift: ${t.table}`)}::${esc(problemLines(t, 10).join("\n"))}`);
  if (!r.lag.caughtUp) out.push(`::warning title=pg2convex mirror behind::${esc(`the mirror had not passed the start LSN ${r.lag.startLsn} after ${(r.lag.waitedMs / 1000).toFixed(1)} s (checkpoint ${r.lag.mirrorLsn ?? "-"})`)}`);
  const level = r.outcome.failOnSourceDrift ? "error" : "warning";
  for (const t of r.tables.filter((x) => x.source.driftTotal > 0)) out.push(`::${level} title=${esc(`source-side drift: ${t.table}`)}::${esc(`${t.source.driftTotal} PostgreSQL aggregate value(s) disagree with PostgreSQL's own rows`)}`);
  return out.join("\n");
}
