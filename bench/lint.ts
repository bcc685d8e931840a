// Guardrail lint benchmark: generates a tree of TypeScript files (a deterministic, realistic mix of
// plain modules, repositories with SQL, legacy-table access, dynamic SQL and Convex query builders),
// lints it in-process with default options and reports the figures. No timing is asserted anywhere;
// `npm run bench` prints what this returns. Run alone with: npx tsx bench/lint.ts [files]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { engineConfig, LintOptionsSchema } from "../src/lint/config";
import { loadPgParser } from "../src/lint/pg-parser";
import { lintPaths } from "../src/lint/run";

/** Small seeded PRNG (mulberry32): the same tree on every run, so runs are comparable. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TABLES = ["orders", "order_items", "products", "invoices", "shipments", "customers", "carts", "payments"];
const LEGACY = ["users", "accounts", "sessions", "verification_token"];

function plainModule(i: number, rnd: () => number): string {
  const fns = Array.from({ length: 4 + Math.floor(rnd() * 6) }, (_, k) =>
    [
      `/** Computes step ${k} of pipeline ${i}. */`,
      `export function step${k}(input: readonly number[], factor = ${k + 1}): number[] {`,
      `  const out = input.map((v) => v * factor).filter((v) => v % ${k + 2} !== 0);`,
      `  return out.length > 10 ? out.slice(0, 10) : out;`,
      `}`,
    ].join("\n"),
  );
  return [`import { z } from "zod";`, `export const Schema${i} = z.object({ id: z.string(), count: z.number() });`, ...fns, ""].join("\n\n");
}

function repoModule(i: number, rnd: () => number, kind: "safe" | "legacy" | "dynamic"): string {
  const t = TABLES[Math.floor(rnd() * TABLES.length)]!;
  const other = kind === "legacy" ? LEGACY[Math.floor(rnd() * LEGACY.length)]! : TABLES[(TABLES.indexOf(t) + 1) % TABLES.length]!;
  const methods = [
    `  async byId(id: string) {\n    const r = await this.pool.query("SELECT id, status, total FROM ${t} WHERE id = $1", [id]);\n    return r.rows[0];\n  }`,
    `  async create(row: { id: string; total: number }) {\n    await this.pool.query(\`\n      INSERT INTO ${t} (id, total)\n      VALUES ($1, $2)\n      ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total\`, [row.id, row.total]);\n  }`,
    `  async recent(limit: number) {\n    return sql\`WITH r AS (SELECT * FROM ${t} ORDER BY created_at DESC LIMIT \${limit}) SELECT r.*, o.name FROM r JOIN ${other} o ON o.id = r.owner_id\`;\n  }`,
  ];
  if (kind === "dynamic") methods.push(`  async count(table: string) {\n    return this.pool.query(\`SELECT count(*) FROM \${table}\`);\n  }`);
  return [`import { sql } from "./db";`, `import type { Pool } from "pg";`, "", `export class Repo${i} {`, `  constructor(private readonly pool: Pool) {}`, "", methods.join("\n\n"), `}`, ""].join("\n");
}

function convexModule(i: number): string {
  return `export const list${i} = async (ctx: any, owner: string) => {\n  return await ctx.db.query("orders").withIndex("by_owner", (q: any) => q.eq("owner", owner)).collect();\n};\n`;
}

function generate(root: string, files: number): number {
  const rnd = prng(20240611);
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const r = rnd();
    const text = r < 0.55 ? plainModule(i, rnd) : r < 0.8 ? repoModule(i, rnd, "safe") : r < 0.88 ? repoModule(i, rnd, "legacy") : r < 0.95 ? repoModule(i, rnd, "dynamic") : convexModule(i);
    const dir = join(root, "src", `feature-${i % 40}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `module-${i}.ts`), text);
    bytes += text.length;
  }
  return bytes;
}

export async function benchLint(opts: { files?: number } = {}): Promise<Record<string, unknown>> {
  const files = opts.files ?? 2000;
  const root = mkdtempSync(join(tmpdir(), "pg2convex-lint-bench-"));
  try {
    const bytes = generate(root, files);
    const loadStart = performance.now();
    await loadPgParser();
    const parserLoadMs = performance.now() - loadStart;
    const config = engineConfig(LintOptionsSchema.parse({}));
    const start = performance.now();
    const run = await lintPaths(["src"], [], config, root);
    const wallClockMs = performance.now() - start;
    const findings = run.files.flatMap((f) => f.findings);
    return {
      benchmark: "lint",
      files: run.fileCount,
      bytes,
      sqlSites: run.siteCount,
      errors: findings.filter((f) => f.severity === "error").length,
      warnings: findings.filter((f) => f.severity === "warning").length,
      parserLoadMs: Math.round(parserLoadMs),
      wallClockMs: Math.round(wallClockMs),
      filesPerSecond: Math.round((run.fileCount / wallClockMs) * 1000),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(JSON.stringify(await benchLint(n ? { files: n } : {}), null, 2));
}
