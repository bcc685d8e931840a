// docs/errors.md is rendered from the code lists, so a code cannot exist on one side only: adding, removing or
// rewording a code in src/errors/codes.ts or reject-codes.ts fails here until the page is rendered again with
// `npx vitest run test/errors --update`. The source scan keeps the reject list complete, since a
// reject's code is a plain string on the wire.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type CodeDoc } from "../../src/errors/codes";
import { REJECT_CODES } from "../../src/errors/reject-codes";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOC = join(ROOT, "docs/errors.md");

function section(codes: Record<string, CodeDoc>): string[] {
  const entry = (code: string, d: CodeDoc) => [`### ${code}`, "", d.what, "", `**Retry:** ${d.retry}`, "", `**What to do:** ${d.action}`, ""];
  return Object.entries(codes).flatMap(([code, d]) => entry(code, d));
}

function render(): string {
  return [
    "# Error and reject codes",
    "",
    "<!-- Rendered from src/errors/codes.ts and src/errors/reject-codes.ts by test/errors/codes.unit.test.ts.",
    "     Edit those files, then run: npx vitest run test/errors --update -->",
    "",
    "Every error pg2convex raises carries a stable code, the context to act on it (table, key, column, LSN where",
    "they apply), whether retrying can help, and usually a one-line fix. A stopping command prints it as",
    "`[CODE] what happened (context) — fix: what to do`; JSON logs carry it as `err.code`. Rejects are rows the",
    "mirror does not hold as PostgreSQL has them: they are recorded in `pg2c_reject` with their own codes while",
    "streaming goes on. The guardrail lint's findings are named by rule ids, not codes (README § Guardrail lint).",
    "",
    "## Errors",
    "",
    ...section(ERROR_CODES),
    "## Rejects (`pg2c_reject`)",
    "",
    "Counted in `pg2convex_rejects_total{code}`, listed by `pg2convex status`, and they keep `/healthz` at",
    '`"status": "degraded"` until they settle.',
    "",
    ...section(REJECT_CODES),
  ].join("\n");
}

/** The `### CODE` headings of one `## ` section of docs/errors.md. */
function documented(title: string): string[] {
  const text = readFileSync(DOC, "utf8");
  const start = text.indexOf(`\n## ${title}`);
  if (start < 0) return [];
  const end = text.indexOf("\n## ", start + 1);
  return [...text.slice(start, end < 0 ? undefined : end).matchAll(/^### ([A-Z][A-Z0-9_]*)$/gm)].map((m) => m[1]!);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("error codes are documented where they are defined and in docs/errors.md", () => {
  it("docs/errors.md lists exactly the codes of codes.ts and reject-codes.ts", () => {
    expect(documented("Errors")).toEqual(Object.keys(ERROR_CODES));
    expect(documented("Rejects")).toEqual(Object.keys(REJECT_CODES));
  });

  it("docs/errors.md is the page rendered from the code lists", async () => {
    await expect(render()).toMatchFileSnapshot(DOC);
  });

  it("every code written as a literal in src/ is a listed code", () => {
    const listed = new Set([...Object.keys(ERROR_CODES), ...Object.keys(REJECT_CODES)]);
    const unlisted: string[] = [];
    for (const file of sources(join(ROOT, "src"))) {
      for (const [, code] of readFileSync(file, "utf8").matchAll(/\b(?:code|pg2c): "([A-Z][A-Z0-9_]+)"/g)) {
        if (!listed.has(code!)) unlisted.push(`${file.slice(ROOT.length)}: ${code}`);
      }
    }
    expect(unlisted).toEqual([]);
  });

  it("every entry says what happened, whether a retry helps and what to do", () => {
    for (const [code, d] of [...Object.entries(ERROR_CODES), ...Object.entries(REJECT_CODES)]) {
      for (const field of ["what", "retry", "action"] as const) expect(d[field].length, `${code}.${field}`).toBeGreaterThan(20);
    }
  });
});
