// The migration's rules, pure so the Convex functions, the CLI and the tests share one copy:
//  - which share of callers reads a table from Convex (a stable bucket per table and caller, so one user
//    never flips back and forth while the percentage only grows);
//  - whether the mirror is fresh enough to serve reads (the sidecar's heartbeat, lag, drift, dead letters);
//  - whether a cut-over may proceed (the gates) and whether a table's health breaches its thresholds.
// Invariant: every "convex" answer requires a fresh heartbeat; anything unknown answers "postgres".

export const PHASES = ["backfill", "mirror", "canary", "cutover", "decommissioned"] as const;
export type Phase = (typeof PHASES)[number];

/** The team's per-table checklist, in its order. */
export const CHECKLIST = ["backfillComplete", "idempotencyTested", "alertsConfigured", "parityGreen", "readCutoverStable", "rollbackTested", "postgresWritesRemoved"] as const;
export type ChecklistItem = (typeof CHECKLIST)[number];

export interface Thresholds {
  /** Reads fall back to PostgreSQL when the mirror lags more than this. */
  maxLagSeconds: number;
  /** …or when the sidecar's last heartbeat in Convex is older than this. */
  staleAfterMs: number;
  /** Unresolved dead letters of the table tolerated before reads roll back (default 0). */
  maxDeadLetters: number;
  /** Failed batch applies in the sidecar's last window tolerated before reads roll back. */
  maxApplyFailures: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { maxLagSeconds: 30, staleAfterMs: 15_000, maxDeadLetters: 0, maxApplyFailures: 3 };

/** What the sidecar last told Convex (pg2c_sidecar). */
export interface Heartbeat {
  at: number;
  lagSeconds: number;
  applyFailures: number;
  thresholds: Thresholds;
}

/** What decides one table's reads, read from Convex in one transaction. */
export interface TableHealthInputs {
  heartbeat: Heartbeat | null;
  deadLetters: number;
  /** Parity's last verdict for the table was drift, or the table is marked drifted (schema change). */
  drifted: boolean;
}

export type Source = "convex" | "postgres";

export interface ReadAnswer {
  source: Source;
  /** Why, in a few words ("flag 25%, caller in bucket 12", "heartbeat 40 s old"). */
  reason: string;
  /** The answer holds until then at most (ms since the epoch): after it, callers must ask again or use PostgreSQL. */
  validUntil: number;
}

/** 0–99, stable per (table, caller): FNV-1a 32-bit of "table\0caller". */
export function bucketOf(table: string, caller: string): number {
  let h = 0x811c9dc5;
  const s = `${table}\0${caller}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

/** Problems that make the mirror unfit to serve reads of a table now; empty when fit. */
export function unfitReasons(inputs: TableHealthInputs, now: number): string[] {
  const out: string[] = [];
  const hb = inputs.heartbeat;
  if (!hb) out.push("no heartbeat from the sidecar yet");
  else {
    const age = now - hb.at;
    if (age > hb.thresholds.staleAfterMs) out.push(`sidecar heartbeat ${Math.round(age / 1000)} s old (limit ${Math.round(hb.thresholds.staleAfterMs / 1000)} s)`);
    if (hb.lagSeconds > hb.thresholds.maxLagSeconds) out.push(`lag ${hb.lagSeconds} s over ${hb.thresholds.maxLagSeconds} s`);
  }
  const maxDead = hb?.thresholds.maxDeadLetters ?? DEFAULT_THRESHOLDS.maxDeadLetters;
  if (inputs.deadLetters > maxDead) out.push(`${inputs.deadLetters} unresolved dead letter(s)`);
  if (inputs.drifted) out.push("table drifted (parity or schema change)");
  return out;
}

export function readAnswer(percent: number, table: string, caller: string, inputs: TableHealthInputs, now: number): ReadAnswer {
  const hb = inputs.heartbeat;
  const validUntil = hb ? hb.at + hb.thresholds.staleAfterMs : now;
  if (percent <= 0) return { source: "postgres", reason: "flag at 0%", validUntil: Number.MAX_SAFE_INTEGER };
  const unfit = unfitReasons(inputs, now);
  if (unfit.length) return { source: "postgres", reason: `mirror not fit: ${unfit.join("; ")}`, validUntil: now };
  const bucket = bucketOf(table, caller);
  return bucket < percent ? { source: "convex", reason: `flag ${percent}%, caller in bucket ${bucket}`, validUntil } : { source: "postgres", reason: `flag ${percent}%, caller in bucket ${bucket}`, validUntil };
}

export interface GateInputs extends TableHealthInputs {
  /** Start of the table's current green parity streak (ms), or null. */
  greenSince: number | null;
  gateDays: number;
}

/** Gates a cut-over must pass; each unmet one is named. Empty = may proceed. */
export function unmetGates(g: GateInputs, now: number): string[] {
  const out: string[] = [];
  const greenDays = g.greenSince === null ? null : (now - g.greenSince) / 86_400_000;
  if (greenDays === null) out.push("parity is not green (no clean sample/full run since the last drift)");
  else if (greenDays < g.gateDays) out.push(`parity green for ${greenDays.toFixed(2)} d, the gate is ${g.gateDays} d`);
  out.push(...unfitReasons(g, now));
  return out;
}
