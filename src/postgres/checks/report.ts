// Check results. Invariant: every check contributes at least one result (a pass, or one result per
// problem), so a report lists every problem at once; nothing stops at the first failure.
import { Pg2ConvexError } from "../../errors";

/** pass; warn (works, but worth knowing); fail; skip (could not be checked because another check failed). */
export type CheckLevel = "pass" | "warn" | "fail" | "skip";

export interface CheckResult {
  /** Which check: "wal_level", "replica_identity", "column_type", … */
  readonly name: string;
  /** What was checked: "public.story", "public.story.status"; absent for server-wide checks. */
  readonly subject?: string;
  readonly level: CheckLevel;
  /** `true` for pass and warn. */
  readonly ok: boolean;
  readonly message: string;
  /** One line with the exact fix; present unless the check passed. */
  readonly fix?: string;
}

export interface CheckReport {
  /** No failures and nothing skipped. */
  readonly ok: boolean;
  readonly results: readonly CheckResult[];
  /** fail and skip results. */
  readonly failures: readonly CheckResult[];
  readonly warnings: readonly CheckResult[];
}

export const pass = (name: string, subject: string | undefined, message: string): CheckResult => ({ name, ...(subject ? { subject } : {}), level: "pass", ok: true, message });

export const fail = (name: string, subject: string | undefined, message: string, fix: string): CheckResult => ({
  name,
  ...(subject ? { subject } : {}),
  level: "fail",
  ok: false,
  message,
  fix,
});

export const warn = (name: string, subject: string | undefined, message: string, fix: string): CheckResult => ({ ...fail(name, subject, message, fix), level: "warn", ok: true });

export const skip = (name: string, subject: string | undefined, message: string, fix: string): CheckResult => ({ ...fail(name, subject, message, fix), level: "skip" });

export function makeReport(results: readonly CheckResult[]): CheckReport {
  const failures = results.filter((r) => !r.ok);
  return { ok: failures.length === 0, results, failures, warnings: results.filter((r) => r.level === "warn") };
}

/** One line a result: `[fail] replica_identity public.story: message` then `fix: …`. */
export function formatResult(r: CheckResult): string {
  const head = `[${r.level}] ${r.name}${r.subject ? ` ${r.subject}` : ""}: ${r.message}`;
  return r.fix ? `${head}\n    fix: ${r.fix}` : head;
}

/** Throws one PG_CHECK_FAILED listing every failure with its fix; returns quietly when the report is ok. */
export function assertChecks(report: CheckReport): void {
  if (report.ok) return;
  const n = report.failures.length;
  const lines = report.failures.map((r) => `  - ${formatResult(r).replace(/\n/g, "\n  ")}`);
  throw new Pg2ConvexError("PG_CHECK_FAILED", `${n} PostgreSQL check${n === 1 ? "" : "s"} failed:\n${lines.join("\n")}`, {
    context: { failures: report.failures.map((r) => ({ name: r.name, subject: r.subject, message: r.message, fix: r.fix })) },
    fix: n === 1 ? report.failures[0]!.fix! : "apply each fix listed above, then run pg2convex setup again",
  });
}
