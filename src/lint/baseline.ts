// Baseline: today's findings by file and fingerprint (rule + statement fingerprint + table, never a
// line number), with a count per key, so CI fails only on findings beyond what was recorded. Moving
// code around keeps the key; adding a second identical statement in the same file exceeds the count.
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { LintConfigError } from "./errors";
import { RULE_IDS, type Finding } from "./types";

const EntrySchema = z.object({
  file: z.string(),
  rule: z.enum(RULE_IDS as [string, ...string[]]),
  fingerprint: z.string(),
  count: z.number().int().positive(),
  table: z.string().optional(),
  message: z.string().optional(),
});
const BaselineSchema = z.object({ version: z.literal(1), tool: z.literal("pg2convex-lint"), entries: z.array(EntrySchema) });

export type Baseline = z.infer<typeof BaselineSchema>;

const key = (file: string, fingerprint: string) => `${file}\0${fingerprint}`;

export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const missing = (e as { code?: string }).code === "ENOENT";
    throw new LintConfigError(`baseline ${path} ${missing ? "does not exist" : "cannot be read"}`, {
      context: { path },
      fix: missing ? `create it with: pg2convex lint --baseline ${path} --update-baseline` : undefined,
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LintConfigError(`baseline ${path} is not valid JSON: ${(e as Error).message}`, { context: { path } });
  }
  const r = BaselineSchema.safeParse(json);
  if (!r.success) throw new LintConfigError(`baseline ${path} is not a pg2convex-lint baseline (version 1): ${r.error.issues[0]?.message}`, { context: { path } });
  return r.data;
}

export function buildBaseline(findings: readonly Finding[]): Baseline {
  const byKey = new Map<string, Baseline["entries"][number]>();
  for (const f of findings) {
    const k = key(f.file, f.fingerprint);
    const e = byKey.get(k);
    if (e) e.count++;
    else byKey.set(k, { file: f.file, rule: f.rule, fingerprint: f.fingerprint, count: 1, ...(f.table ? { table: f.table } : {}), message: f.message });
  }
  const entries = [...byKey.values()].sort((a, b) => a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint));
  return { version: 1, tool: "pg2convex-lint", entries };
}

export function writeBaseline(path: string, baseline: Baseline): void {
  try {
    writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
  } catch (e) {
    throw new LintConfigError(`baseline ${path} cannot be written`, { context: { path }, cause: e });
  }
}

/** Splits findings into new ones and ones the baseline accounts for; `stale` counts recorded findings that are gone. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline): { fresh: Finding[]; baselined: Finding[]; stale: number } {
  const budget = new Map<string, number>();
  for (const e of baseline.entries) budget.set(key(e.file, e.fingerprint), (budget.get(key(e.file, e.fingerprint)) ?? 0) + e.count);
  const fresh: Finding[] = [];
  const baselined: Finding[] = [];
  for (const f of findings) {
    const k = key(f.file, f.fingerprint);
    const left = budget.get(k) ?? 0;
    if (left > 0) {
      budget.set(k, left - 1);
      baselined.push(f);
    } else {
      fresh.push(f);
    }
  }
  let stale = 0;
  for (const v of budget.values()) stale += v;
  return { fresh, baselined, stale };
}
