// `pg2convex parity`: proves (or disproves) that the Convex mirror equals PostgreSQL, table by table.
// Exit 0 clean, 1 drift, 2 the check could not run (the message says why).
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { loadConfig } from "../../config/load";
import { parseDuration } from "../../config/schema";
import { Pg2ConvexError } from "../../errors";
import { createLogger } from "../../log";
import { secretsOf } from "../../config/load";
import { loadTableSet, selectTables } from "../../definitions/select";
import type { TableSet } from "../../definitions/types";
import { connectPg } from "../../postgres";
import { missingTables } from "../../postgres/table-size";
import { parityConnection, runParity } from "../../parity/run";
import { exitCodeOf, type Mode, type ParityReport } from "../../parity/report";
import { renderText } from "../../parity/render-text";
import { renderAnnotations, renderJunit, renderMarkdown } from "../../parity/render-ci";

const HELP = `usage: pg2convex parity [--tables a,b] [--mode count|sample|full] [--sample N] [--format text,json,md,junit] [--out DIR]
                        [--max-wait 60s] [--recheck-delay 2s] [--recheck-rounds 3] [--bisection-factor 16]
                        [--bisection-threshold 1000] [--no-record] [--fail-on-source-drift] [connection options as for run]

Compares the Convex mirror with PostgreSQL, table by table:
  count   row counts on both sides
  sample  N random primary keys per table (default 1000) and each one's successor, by canonical row hash,
          plus counts and the invariants of the sampled rows (default mode)
  full    every row: primary-key ranges hashed on both sides, differing ranges split until small, then
          compared row by row; every derived field and reference id checked

Lag aware: records PostgreSQL's LSN at the start, waits (--max-wait) until the mirror passed it, and
re-checks each difference (--recheck-rounds, --recheck-delay) before calling it drift; rows changed after
the start are reported as in flight. Each run's per-table verdict is recorded in Convex (pg2convex status
shows "parity green since …") unless --no-record.

--tables picks which mirrored tables to check; the mirrored set itself comes from PG2CONVEX_TABLES as for run.
--format: any of text, json, md, junit. Without --out they are printed; with --out DIR they are written
to DIR/parity.{txt,json,md,junit.xml} and the text summary is printed. Under GitHub Actions, markdown is
appended to $GITHUB_STEP_SUMMARY and drift is annotated with ::error lines on stderr (stdout stays the report).
Exit codes: 0 clean, 1 drift (or source-side drift with --fail-on-source-drift), 2 could not run.`;

const FORMATS = ["text", "json", "md", "junit"] as const;
type Format = (typeof FORMATS)[number];
const FILES: Record<Format, string> = { text: "parity.txt", json: "parity.json", md: "parity.md", junit: "parity.junit.xml" };

const OPTIONS = {
  mode: { type: "string" },
  sample: { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
  "max-wait": { type: "string" },
  "recheck-delay": { type: "string" },
  "recheck-rounds": { type: "string" },
  "bisection-factor": { type: "string" },
  "bisection-threshold": { type: "string" },
  "no-record": { type: "boolean" },
  "fail-on-source-drift": { type: "boolean" },
} as const;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { only, rest } = takeTables(argv);
  const { config, extra } = loadConfig(rest, process.env, OPTIONS);
  const opts = parseOptions(extra);
  // Logs go to stderr: stdout carries the report (possibly JSON).
  const logger = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel, secrets: secretsOf(config), destination: pino.destination(2) });
  const { tables } = selectTables(await loadTableSet(config.tablesModule), config.tables);
  await refuseMissingTables(config.databaseUrl, only ? tables.filter((t) => only.includes(t.name)) : tables);
  const report = await runParity({
    ...parityConnection(config),
    tables,
    ...(only ? { only } : {}),
    mode: opts.mode,
    sample: opts.sample,
    bisect: { factor: opts.factor, leafRows: opts.threshold },
    maxWaitMs: opts.maxWaitMs,
    recheck: { rounds: opts.rounds, delayMs: opts.delayMs, waitMs: opts.maxWaitMs },
    record: !opts.noRecord,
    failOnSourceDrift: opts.failOnSourceDrift,
    logger,
  });
  emit(report, opts.formats, opts.out);
  return exitCodeOf(report);
}

/** `--tables` selects tables to check, so it must not narrow the mirrored set loadConfig builds. */
function takeTables(argv: string[]): { only: string[] | null; rest: string[] } {
  const rest: string[] = [];
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a === "--tables" ? argv[++i] : a.startsWith("--tables=") ? a.slice("--tables=".length) : undefined;
    if (value === undefined && (a === "--tables" || a.startsWith("--tables="))) throw invalid("--tables needs a comma-separated list of table names");
    if (value !== undefined)
      only = [
        ...(only ?? []),
        ...value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ];
    else rest.push(a);
  }
  return { only, rest };
}

function parseOptions(extra: Record<string, string | boolean | undefined>) {
  const problems: string[] = [];
  const str = (k: string) => (typeof extra[k] === "string" ? (extra[k] as string) : undefined);
  const int = (k: string, def: number, min: number) => {
    const v = str(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) problems.push(`--${k} must be an integer ≥ ${min}`);
    return n;
  };
  const ms = (k: string, def: number) => {
    const v = str(k);
    if (v === undefined) return def;
    const d = v === "0" ? 0 : parseDuration(v);
    if (d === null) problems.push(`--${k} must be a duration like 500ms, 30s or 2m`);
    return d ?? def;
  };
  const mode = (str("mode") ?? "sample") as Mode;
  if (!["count", "sample", "full"].includes(mode)) problems.push("--mode must be count, sample or full");
  const formats = (str("format") ?? "text")
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean) as Format[];
  for (const f of formats) if (!FORMATS.includes(f)) problems.push(`--format: unknown format ${f} (use ${FORMATS.join(", ")})`);
  const out = {
    mode,
    sample: int("sample", 1_000, 1),
    formats,
    out: str("out"),
    maxWaitMs: ms("max-wait", 60_000),
    delayMs: ms("recheck-delay", 2_000),
    rounds: int("recheck-rounds", 3, 1),
    factor: int("bisection-factor", 16, 2),
    threshold: int("bisection-threshold", 1_000, 1),
    noRecord: extra["no-record"] === true,
    failOnSourceDrift: extra["fail-on-source-drift"] === true,
  };
  if (problems.length) throw invalid(`invalid parity options:\n  - ${problems.join("\n  - ")}`);
  return out;
}

const invalid = (message: string) => new Pg2ConvexError("CONFIG_INVALID", message, { fix: "see pg2convex parity --help" });

function emit(report: ParityReport, formats: Format[], out: string | undefined): void {
  const render: Record<Format, () => string> = {
    text: () => renderText(report) + "\n",
    json: () => JSON.stringify(report, null, 2) + "\n",
    md: () => renderMarkdown(report),
    junit: () => renderJunit(report),
  };
  if (out) {
    mkdirSync(out, { recursive: true });
    for (const f of formats) writeFileSync(join(out, FILES[f]), render[f]());
    process.stdout.write(render.text());
  } else for (const f of formats) process.stdout.write(render[f]());
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, render.md());
  // Annotations go to stderr: the runner reads workflow commands from both streams, and stdout may carry a
  // report (JSON, JUnit) that a step pipes into a parser.
  if (process.env.GITHUB_ACTIONS === "true") {
    const annotations = renderAnnotations(report);
    if (annotations) process.stderr.write(annotations + "\n");
  }
}

/** A mirrored table dropped in PostgreSQL cannot be compared: one clear TABLE_MISSING instead of "relation … does not exist". */
async function refuseMissingTables(databaseUrl: string, tables: TableSet): Promise<void> {
  const pg = await connectPg(databaseUrl);
  try {
    const missing = await missingTables(pg, tables);
    if (missing.length === 0) return;
    const names = missing.map((t) => `${t.schema}.${t.name}`).join(", ");
    throw new Pg2ConvexError(
      "TABLE_MISSING",
      `mirrored table${missing.length === 1 ? "" : "s"} ${names} no longer exist${missing.length === 1 ? "s" : ""} in PostgreSQL (dropped or renamed); parity cannot compare ${missing.length === 1 ? "it" : "them"}`,
      {
        context: { tables: missing.map((t) => t.name) },
        fix: `remove ${missing.map((t) => t.name).join(", ")} from the definitions and deploy, or recreate ${missing.length === 1 ? "it" : "them"} and run pg2convex resync --table ${missing[0]!.name}; to check the other tables now, pass --tables`,
      },
    );
  } finally {
    await pg.end();
  }
}
