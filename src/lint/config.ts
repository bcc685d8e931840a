// Options of `pg2convex lint` and `pg2convex inventory`: one zod schema per command, parsed once from
// defaults < JSON config file < command-line flags, every problem reported in one error.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { LintConfigError } from "./errors";
import { parseIdentifier, parseQualifiedName, type QualifiedName } from "./identifiers";

export const DEFAULT_CONFIG_FILE = "pg2convex-lint.json";
export const DEFAULT_DENY = ["users", "accounts", "sessions", "verification_token"];
export const DEFAULT_TAGS = ["sql", "Prisma.sql", ".$queryRaw", ".$executeRaw"];
/** Always checked: `calls` from flags, the config file or ESLint options add to this list, never replace it. */
export const DEFAULT_CALLS = [".query", ".unsafe", ".execute", ".$queryRawUnsafe", ".$executeRawUnsafe", "knex.raw"];
export const DEFAULT_EXCLUDE = ["**/node_modules/**", "**/dist/**", "**/*.d.ts"];

/** `name`, `a.b.c` or `.method` (any receiver); `$` and `#` allowed as in JS identifiers. */
const CALLEE = /^\.?[A-Za-z_$#][\w$]*(\.[A-Za-z_$#][\w$]*)*$/;

const tableName = z.string().superRefine((s, ctx) => {
  const r = parseQualifiedName(s);
  if (!r.ok) ctx.addIssue({ code: "custom", message: r.error });
});
const schemaName = z.string().superRefine((s, ctx) => {
  const r = parseIdentifier(s);
  if (!r.ok) ctx.addIssue({ code: "custom", message: r.error });
});
const callee = z.string().regex(CALLEE, "must look like `name`, `obj.name` or `.method`");

const shared = {
  paths: z.array(z.string().min(1)).min(1).default(["src"]),
  exclude: z.array(z.string().min(1)).default(DEFAULT_EXCLUDE),
  searchPath: z.array(schemaName).min(1).default(["public"]),
  tags: z.array(callee).default(DEFAULT_TAGS),
  /** Extra call targets, checked in addition to DEFAULT_CALLS. */
  calls: z.array(callee).default([]),
  deny: z.array(tableName).min(1).default(DEFAULT_DENY),
  strict: z.boolean().default(false),
  baseline: z.string().min(1).optional(),
};

export const LintOptionsSchema = z
  .object({
    ...shared,
    updateBaseline: z.boolean().default(false),
    /** `auto`: GitHub annotations when GITHUB_ACTIONS=true, text otherwise. */
    format: z.enum(["auto", "text", "json", "sarif", "github", "markdown"]).default("auto"),
    output: z.string().min(1).optional(),
    markdownSummary: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => !o.updateBaseline || o.baseline !== undefined, { message: "--update-baseline needs --baseline FILE (or `baseline` in the config file)", path: ["updateBaseline"] });

export const InventoryOptionsSchema = z
  .object({
    ...shared,
    tables: z.array(tableName).optional(),
    format: z.enum(["markdown", "json"]).default("markdown"),
    output: z.string().min(1).optional(),
  })
  .strict();

export type LintOptions = z.infer<typeof LintOptionsSchema>;
export type InventoryOptions = z.infer<typeof InventoryOptionsSchema>;

/** What the engine needs, with names already folded by PostgreSQL's rules. */
export interface EngineConfig {
  deny: QualifiedName[];
  searchPath: string[];
  tags: string[];
  /** DEFAULT_CALLS plus the configured extra ones. */
  calls: string[];
  strict: boolean;
}

export function engineConfig(o: Pick<LintOptions, "deny" | "searchPath" | "tags" | "calls" | "strict">): EngineConfig {
  const ok = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
    if (!r.ok) throw new LintConfigError(r.error);
    return r.value;
  };
  // "$user" names the role's own schema; the lint knows no role, and such schemas rarely exist, so
  // resolution proceeds as PostgreSQL does when it is missing: with the next schema.
  const searchPath = o.searchPath.map((s) => ok(parseIdentifier(s))).filter((s) => s !== "$user");
  if (searchPath.length === 0) throw new LintConfigError('the search path needs a schema other than "$user"', { fix: "e.g. --search-path public" });
  return {
    deny: o.deny.map((d) => ok(parseQualifiedName(d))),
    searchPath,
    tags: o.tags,
    // A guardrail that one option could switch off for `.query(…)` would fail open.
    calls: [...new Set([...DEFAULT_CALLS, ...o.calls])],
    strict: o.strict,
  };
}

/** Reads the JSON config file: the explicit one must exist, the default one is optional. */
export function readConfigFile(path: string | undefined, cwd = process.cwd()): Record<string, unknown> {
  const file = path ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (e) {
    if (path === undefined && (e as { code?: string }).code === "ENOENT") return {};
    throw new LintConfigError(`config file ${file} cannot be read`, { context: { path: file }, cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LintConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`, { context: { path: file } });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new LintConfigError(`config file ${file} must hold a JSON object`, { context: { path: file } });
  return json as Record<string, unknown>;
}

/** Keys a config file may hold: project settings shared by lint and inventory (output options are flags). */
export const FILE_KEYS = Object.keys(shared);

/** Flags override the file; undefined flags are "not given". All problems (file and flags) become one error. */
export function parseOptions<S extends z.ZodType>(schema: S, file: Record<string, unknown>, flags: Record<string, unknown>, source: string): z.infer<S> {
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const problems = Object.keys(file)
    .filter((k) => !FILE_KEYS.includes(k))
    .map((k) => `  - ${k}: not a config file key (allowed: ${FILE_KEYS.join(", ")})`);
  const fileOnly = Object.fromEntries(Object.entries(file).filter(([k]) => FILE_KEYS.includes(k)));
  const r = schema.safeParse({ ...fileOnly, ...given });
  if (!r.success) problems.push(...r.error.issues.map((i) => `  - ${i.path.length ? i.path.join(".") : "(options)"}: ${i.message}`));
  if (problems.length === 0 && r.success) return r.data;
  throw new LintConfigError(`invalid options (${source}):\n${problems.join("\n")}`, { fix: "see --help and docs/lint.md" });
}
