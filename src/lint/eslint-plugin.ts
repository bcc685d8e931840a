// ESLint flat-config plugin: the same engine as `pg2convex lint`, for editor feedback.
//
//   import pg2convex from "pg2convex/eslint-plugin";
//   export default [pg2convex.configs.recommended];
//
// ESLint rules are synchronous but the PostgreSQL parser is WebAssembly that loads asynchronously, so
// this module loads it with a top-level await: by the time ESLint can call a rule, the parser is ready.
// Rules: `no-legacy-tables` (what fails `pg2convex lint` by default: denied tables, malformed
// suppressions and SQL that does not parse; error in `recommended`) and `no-unresolved-sql` (SQL built
// at runtime; warning in `recommended`).
import type { ESLint, Linter, Rule, SourceCode } from "eslint";
import { z } from "zod";
import { DEFAULT_DENY, DEFAULT_TAGS, engineConfig } from "./config";
import { LintEngine, type FileLint } from "./engine";
import { loadPgParser } from "./pg-parser";
import type { RuleId } from "./types";
import { TOOL_VERSION } from "./version";

await loadPgParser();

const OptionsSchema = z
  .object({
    deny: z.array(z.string()).min(1).default(DEFAULT_DENY),
    searchPath: z.array(z.string()).min(1).default(["public"]),
    tags: z.array(z.string()).default(DEFAULT_TAGS),
    /** Added to the default call targets (see config.ts). */
    calls: z.array(z.string()).default([]),
  })
  .strict();

const stringList = { type: "array", items: { type: "string" } } as const;
const optionsJsonSchema = [{ type: "object", properties: { deny: stringList, searchPath: stringList, tags: stringList, calls: stringList }, additionalProperties: false }];

const engines = new Map<string, LintEngine>();
const results = new WeakMap<SourceCode, Map<string, FileLint>>();

function engineFor(options: unknown): { key: string; engine: LintEngine } {
  const key = JSON.stringify(options ?? {});
  let engine = engines.get(key);
  if (!engine) {
    const o = OptionsSchema.parse(options ?? {});
    engine = new LintEngine(engineConfig({ ...o, strict: false }));
    engines.set(key, engine);
  }
  return { key, engine };
}

/** Both rules share one analysis per file and option set. */
function lintOnce(context: Rule.RuleContext): FileLint {
  const { key, engine } = engineFor(context.options[0]);
  const source = context.sourceCode;
  let perOptions = results.get(source);
  if (!perOptions) results.set(source, (perOptions = new Map()));
  let result = perOptions.get(key);
  if (!result) perOptions.set(key, (result = engine.lintText(source.text, context.filename)));
  return result;
}

function makeRule(description: string, reports: readonly RuleId[]): Rule.RuleModule {
  return {
    meta: {
      type: "problem",
      docs: { description },
      schema: optionsJsonSchema,
      messages: { finding: "{{message}} [{{rule}}]" },
    },
    create(context) {
      return {
        "Program:exit"() {
          for (const f of lintOnce(context).findings) {
            if (!reports.includes(f.rule)) continue;
            context.report({ loc: { line: f.line, column: f.column - 1 }, messageId: "finding", data: { message: f.message, rule: f.rule } });
          }
        },
      };
    },
  };
}

const recommended: Linter.Config = {
  name: "pg2convex/recommended",
  rules: { "pg2convex/no-legacy-tables": "error", "pg2convex/no-unresolved-sql": "warn" },
};

const plugin = {
  meta: { name: "pg2convex", version: TOOL_VERSION },
  rules: {
    "no-legacy-tables": makeRule("Disallow SQL that reads or writes the legacy tables on the deny-list, or that cannot be checked because it does not parse", ["no-legacy-tables", "invalid-suppression", "unparseable-sql"]),
    "no-unresolved-sql": makeRule("Report SQL that is built at runtime, so it cannot be checked", ["dynamic-sql"]),
  },
  configs: { recommended },
} satisfies ESLint.Plugin;
// Annotated for the built declarations (the inferred type names ESLint's internal core types).
type Pg2ConvexPlugin = ESLint.Plugin & { meta: { name: string; version: string }; rules: Record<"no-legacy-tables" | "no-unresolved-sql", Rule.RuleModule>; configs: { recommended: Linter.Config } };

// The config refers to the plugin that holds it, so the link is made once both exist.
recommended.plugins = { pg2convex: plugin };

export default plugin as Pg2ConvexPlugin;
