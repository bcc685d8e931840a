// `pg2convex init`: writes the table definitions (and the app's convex/ files) from the PostgreSQL catalog;
// `init --check` compares the definitions with the database and exits 1 printing the difference (for CI).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildGraph } from "../../definitions/graph";
import { importUserModule } from "../../definitions/import-module";
import type { TableSet } from "../../definitions/types";
import { diffDefinitions } from "../../init/check";
import { planInit, type InitOptions } from "../../init/plan";
import { planTables } from "../../init/to-defs";
import { writeInit } from "../../init/write";
import { defineMirrorFunctions } from "../../mirror-functions/functions";
import { connectPg } from "../../postgres/connect";
import { introspectSchema } from "../../postgres/introspect";

const HELP = `usage: pg2convex init [--database-url URL] [--schema S] [--tables a,b | --pattern 'glob,…']
                      [--exclude-tables a,b] [--exclude-columns table.column,…] [--out DIR] [--convex-dir DIR]
       pg2convex init --check [--out DIR | --tables-module FILE] [selection options]

Reads the PostgreSQL catalog and writes the table definitions to DIR/index.ts (default tables/), a
DIR/derived.ts for hand-written derived fields (created once, never overwritten), and, when absent, the
app's Convex files (DIR convex/: schema.ts, mirror.ts, _generated/ stand-ins).
  --schema S           PostgreSQL schema to read (default public)
  --tables a,b         only these tables (default: every table of the schema; partitions via their parent)
  --pattern GLOBS      tables whose names match a glob (* and ?), e.g. 'film*,store'
  --exclude-tables X   names or globs left out on purpose (listed in the generated file)
  --exclude-columns X  table.column entries left out on purpose (declared as exclude: […])
  (Without selection options, a run again reuses the ones DIR/index.ts was generated with.)
  --check              write nothing: compare the definitions module with the database; exit 1 on any
                       difference (tables, columns, types, enum labels, keys, foreign keys). Without
                       selection options it uses the ones the module was generated with.
DATABASE_URL is read from the environment when --database-url is not given.`;

const csv = (v: string | string[] | undefined) =>
  v === undefined
    ? []
    : [v]
        .flat()
        .flatMap((s) => s.split(","))
        .map((s) => s.trim())
        .filter(Boolean);

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "database-url": { type: "string" },
        schema: { type: "string" },
        tables: { type: "string", multiple: true },
        pattern: { type: "string", multiple: true },
        "exclude-tables": { type: "string", multiple: true },
        "exclude-columns": { type: "string", multiple: true },
        out: { type: "string" },
        "convex-dir": { type: "string" },
        "tables-module": { type: "string" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`pg2convex init: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const databaseUrl = values["database-url"] ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("pg2convex init: DATABASE_URL (or --database-url) is required");
    return 2;
  }
  const outDir = values.out ?? "tables";
  const flags: Partial<InitOptions> = {
    ...(values.schema ? { schema: values.schema } : {}),
    ...(values.tables ? { tables: csv(values.tables) } : {}),
    ...(values.pattern ? { pattern: csv(values.pattern) } : {}),
    ...(values["exclude-tables"] ? { excludeTables: csv(values["exclude-tables"]) } : {}),
    ...(values["exclude-columns"] ? { excludeColumns: csv(values["exclude-columns"]) } : {}),
  };
  let declared: TableSet | undefined;
  let recorded: Partial<InitOptions> = {};
  if (values.check) {
    const mod = await importUserModule(values["tables-module"] ?? join(outDir, "index.ts"));
    declared = (mod.tables ?? []) as TableSet;
    recorded = (mod.initOptions ?? {}) as Partial<InitOptions>;
    buildGraph(declared); // the module must also be valid definitions
  } else if (Object.keys(flags).length === 0 && existsSync(join(outDir, "index.ts"))) {
    // Re-running `init` without selection options keeps the selection the file was generated with
    // (an --exclude-tables given once stays in force); a module that no longer loads falls back to defaults.
    try {
      recorded = ((await importUserModule(join(outDir, "index.ts"))).initOptions ?? {}) as Partial<InitOptions>;
    } catch (e) {
      console.error(`pg2convex init: could not read the options ${join(outDir, "index.ts")} was generated with (${(e as Error).message}); using the defaults`);
    }
  }
  const chosen = Object.keys(flags).length > 0 ? flags : recorded;
  const options: InitOptions = { schema: chosen.schema ?? "public", tables: chosen.tables ?? [], pattern: chosen.pattern ?? [], excludeTables: chosen.excludeTables ?? [], excludeColumns: chosen.excludeColumns ?? [] };

  const client = await connectPg(databaseUrl);
  let plan;
  try {
    plan = planInit(await introspectSchema(client, options.schema), options);
  } finally {
    await client.end();
  }
  if (declared) {
    const diff = diffDefinitions(declared, plan);
    if (diff.length === 0) {
      console.log(`definitions match PostgreSQL schema ${options.schema} (${declared.length} tables)`);
      return 0;
    }
    console.log(`definitions differ from PostgreSQL schema ${options.schema} (run \`pg2convex init\` to update them, then deploy):\n${diff.map((d) => `  - ${d}`).join("\n")}`);
    return 1;
  }
  buildGraph(planTables(plan)); // never write definitions the mirror would refuse
  const report = writeInit(plan, { outDir, convexDir: values["convex-dir"] ?? "convex", functions: Object.keys(defineMirrorFunctions([])) });
  for (const l of report.lines) console.log(l);
  for (const s of plan.skipped) console.log(`not mirrored: ${s.name}: ${s.reason}`);
  return 0;
}
