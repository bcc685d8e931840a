// `pg2convex lint [paths…]`: the guardrail. Exit 0 when no error-level finding is new, 1 when one is,
// 2 when the tool itself failed (bad options, unreadable path or baseline).
import { appendFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { applyBaseline, buildBaseline, readBaseline, writeBaseline } from "../../lint/baseline";
import { parseCommandArgs, processIo, runCommand, SHARED_ARGS, SHARED_USAGE, sharedFlags, splitList, type CommandIo } from "../../lint/cli-options";
import { engineConfig, LintOptionsSchema, parseOptions, readConfigFile, type LintOptions } from "../../lint/config";
import { LintConfigError } from "../../lint/errors";
import { formatGithub } from "../../lint/report-github";
import { formatJson } from "../../lint/report-json";
import { formatMarkdown } from "../../lint/report-markdown";
import { formatSarif } from "../../lint/report-sarif";
import { formatText, summaryLine } from "../../lint/report-text";
import { lintPaths } from "../../lint/run";
import type { Finding, LintSummary } from "../../lint/types";

const USAGE = `usage: pg2convex lint [paths…] [options]        (default path: src)

Fails when SQL in TypeScript/JavaScript or .sql files touches a table on the deny-list.
  --deny NAMES            tables to block; replaces the default (users, accounts, sessions,
                          verification_token); schema.table and "Quoted" names follow PostgreSQL rules
  --strict                SQL built at runtime is an error instead of a warning
                          (SQL that does not parse is always an error)
  --baseline FILE         fail only on findings not recorded in FILE
  --update-baseline       rewrite FILE with today's findings and exit 0
  --format FORMAT         text | json | sarif | github | markdown
                          (default: github annotations when GITHUB_ACTIONS=true, else text)
  --markdown-summary FILE also append a markdown summary to FILE (e.g. "$GITHUB_STEP_SUMMARY")
${SHARED_USAGE}
Suppress one finding with a comment on the line above:
  // pg2convex-lint-disable-next-line no-legacy-tables -- reason
Exit codes: 0 clean, 1 error findings, 2 the tool failed.`;

const ARGS = {
  ...SHARED_ARGS,
  deny: { type: "string", multiple: true },
  strict: { type: "boolean" },
  baseline: { type: "string" },
  "update-baseline": { type: "boolean" },
  "markdown-summary": { type: "string" },
} as const;

export async function main(argv: string[]): Promise<number> {
  return runLint(argv, processIo());
}

export async function runLint(argv: string[], io: CommandIo): Promise<number> {
  return runCommand(io, "lint", async () => {
    const { values, positionals } = parseCommandArgs(argv, ARGS);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const file = readConfigFile(values.config, io.cwd);
    const flags = {
      ...sharedFlags(values, positionals),
      deny: splitList(values.deny),
      strict: values.strict,
      baseline: values.baseline,
      updateBaseline: values["update-baseline"],
      markdownSummary: values["markdown-summary"],
    };
    const opts = parseOptions(LintOptionsSchema, file, flags, values.config ?? "flags and pg2convex-lint.json");
    const run = await lintPaths(opts.paths, opts.exclude, engineConfig(opts), io.cwd);
    const all = run.files.flatMap((f) => f.findings);
    const suppressed = run.files.reduce((n, f) => n + f.suppressed.length, 0);

    if (opts.updateBaseline) {
      const baseline = buildBaseline(all);
      writeBaseline(resolve(io.cwd, opts.baseline!), baseline);
      io.stderr(`pg2convex lint: wrote ${opts.baseline} with ${all.length} findings (${baseline.entries.length} entries)\n`);
      return 0;
    }
    const { fresh, baselined, stale } = opts.baseline ? applyBaseline(all, readBaseline(resolve(io.cwd, opts.baseline))) : { fresh: all, baselined: [], stale: 0 };
    const summary: LintSummary = {
      files: run.fileCount,
      sqlSites: run.siteCount,
      errors: fresh.filter((f) => f.severity === "error").length,
      warnings: fresh.filter((f) => f.severity === "warning").length,
      suppressed,
      baselined: baselined.length,
      staleBaseline: stale,
    };
    emit(io, opts, render(opts, io, fresh, summary));
    if (opts.markdownSummary) append(resolve(io.cwd, opts.markdownSummary), formatMarkdown(fresh, summary));
    if (opts.output) io.stderr(`${summaryLine(summary)}\n`);
    return summary.errors > 0 ? 1 : 0;
  });
}

function render(opts: LintOptions, io: CommandIo, findings: Finding[], summary: LintSummary): string {
  // Annotations only mean something in the job log, so `auto` picks them for stdout only.
  const format = opts.format === "auto" ? (io.env.GITHUB_ACTIONS === "true" && !opts.output ? "github" : "text") : opts.format;
  switch (format) {
    case "json":
      return formatJson(findings, summary);
    case "sarif":
      return formatSarif(findings);
    case "github":
      return formatGithub(findings, summary);
    case "markdown":
      return formatMarkdown(findings, summary);
    default:
      return formatText(findings, summary);
  }
}

function emit(io: CommandIo, opts: LintOptions, report: string): void {
  const text = report.endsWith("\n") ? report : `${report}\n`;
  if (!opts.output) return io.stdout(text);
  try {
    writeFileSync(resolve(io.cwd, opts.output), text);
  } catch (e) {
    throw new LintConfigError(`report file ${opts.output} cannot be written`, { context: { path: opts.output }, cause: e });
  }
}

function append(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (e) {
    throw new LintConfigError(`markdown summary ${path} cannot be written`, { context: { path }, cause: e });
  }
}
