// The parity report: one versioned JSON document (REPORT_VERSION); the markdown, JUnit, text and GitHub
// renderings are all made from it. Values are in Convex's JSON form (convexToJson: bigint as {"$integer"},
// bytes as {"$bytes"}, NaN/±Infinity as {"$float"}), so the report is exact and plain JSON.

export const REPORT_KIND = "pg2convex.parity";
/** Bump on any incompatible change of the JSON shape. */
export const REPORT_VERSION = 1;

export type Mode = "count" | "sample" | "full";
export type Verdict = "clean" | "drift";
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface RowDrift {
  kind: "missing" | "extra" | "mismatch" | "duplicate";
  /** Primary-key values (Convex JSON form), in primary-key column order. */
  key: JsonValue[];
  /** The same key as people read it (formatKey: int8 as decimal digits, bytes as \\x-hex). */
  keyText?: string;
  /** Mismatch: the columns whose values differ. */
  columns?: string[];
  /** Mismatch: the differing values on each side (long values shortened). */
  postgres?: Record<string, JsonValue>;
  convex?: Record<string, JsonValue>;
  /** Why the row is reported as it is (e.g. "mirror behind: …", "recorded as a reject"). */
  note?: string;
}

export interface InvariantDrift {
  kind: "derived" | "reference" | "lookup";
  key: JsonValue[];
  keyText?: string;
  field: string;
  expected: JsonValue;
  actual: JsonValue;
}

export interface SourceDrift {
  field: string;
  /** The definition, e.g. "count(story.course_id where public=true, deleted=false)". */
  definition: string;
  key: JsonValue[];
  keyText?: string;
  stored: string | null;
  expected: string | null;
}

export interface TableReport {
  table: string;
  convexTable: string;
  verdict: Verdict;
  counts: { postgres: number | null; convex: number | null; status: "equal" | "in-flight" | "drift" | "not-checked" };
  rows: { checked: number; drift: RowDrift[]; driftTotal: number; inFlight: number };
  invariants: { checked: number; drift: InvariantDrift[]; driftTotal: number; inFlight: number; unresolvedReferences: number };
  /** PostgreSQL's own copies of derived values that disagree with PostgreSQL's rows (not mirror drift). */
  source: { checked: number; drift: SourceDrift[]; driftTotal: number };
  durationMs: number;
  stats: Record<string, number>;
}

export interface ParityReport {
  kind: typeof REPORT_KIND;
  version: typeof REPORT_VERSION;
  runId: string;
  mode: Mode;
  sample: number | null;
  slot: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  lag: {
    /** PostgreSQL's insert LSN when the run started (its snapshot sees exactly what committed before). */
    startLsn: string;
    caughtUp: boolean;
    waitedMs: number;
    mirrorLsn: string | null;
    streaming: boolean;
  };
  verdict: Verdict;
  totals: { tables: number; driftTables: number; rowDrift: number; invariantDrift: number; inFlight: number; sourceDrift: number };
  /** Whether this run's verdicts were recorded in Convex (pg2c_parity_run / pg2c_parity_table). */
  recorded: boolean;
  tables: TableReport[];
  /** What the run means for CI under the caller's policy; every rendering and the exit code read it. */
  outcome: Outcome;
}

/**
 * `verdict` is the mirror's (drift between PostgreSQL and Convex); `outcome` adds the caller's policy, so
 * source-side drift fails the run only with --fail-on-source-drift, and the text, markdown, JUnit and
 * annotations all agree with the exit code.
 */
export interface Outcome {
  exitCode: 0 | 1;
  /** Why the run fails: "drift" (mirror drift), "source-drift" (only with failOnSourceDrift); empty when it passes. */
  failing: ("drift" | "source-drift")[];
  failOnSourceDrift: boolean;
}

export function outcomeOf(r: Pick<ParityReport, "verdict" | "totals">, policy: { failOnSourceDrift?: boolean } = {}): Outcome {
  const failOnSourceDrift = policy.failOnSourceDrift === true;
  const failing: Outcome["failing"] = [];
  if (r.verdict === "drift") failing.push("drift");
  if (failOnSourceDrift && r.totals.sourceDrift > 0) failing.push("source-drift");
  return { exitCode: failing.length ? 1 : 0, failing, failOnSourceDrift };
}

/** Exit code of `pg2convex parity`: 0 clean, 1 drift (2 = could not run, decided by the caller). */
export const exitCodeOf = (r: ParityReport): number => r.outcome.exitCode;

/** One line per table for `status` and the history: "2 mismatch (name), 1 missing; derived count wrong in 1". */
export function summaryOf(t: TableReport): string {
  const parts: string[] = [];
  const by = new Map<string, { n: number; cols: Set<string> }>();
  for (const d of t.rows.drift) {
    const e = by.get(d.kind) ?? { n: 0, cols: new Set<string>() };
    e.n++;
    for (const c of d.columns ?? []) e.cols.add(c);
    by.set(d.kind, e);
  }
  for (const [kind, e] of by) parts.push(`${e.n} ${kind}${e.cols.size ? ` (${[...e.cols].join(", ")})` : ""}`);
  if (t.rows.driftTotal > t.rows.drift.length) parts.push(`${t.rows.driftTotal - t.rows.drift.length} more rows`);
  if (t.counts.status === "drift") parts.push(`count ${t.counts.postgres} in PostgreSQL vs ${t.counts.convex} in Convex`);
  const fields = [...new Set(t.invariants.drift.map((d) => d.field))];
  if (t.invariants.driftTotal > 0) parts.push(`${t.invariants.driftTotal} invariant violation(s)${fields.length ? ` (${fields.join(", ")})` : ""}`);
  return parts.join("; ") || "clean";
}
