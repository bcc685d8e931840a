// A .sql file is one SQL site, analysed statement by statement (split as psql splits it, see
// sql-script.ts), so a statement the parser rejects is one finding and hides none of the others.
// psql meta-commands are not SQL the server sees and are skipped, except `\copy` (checked as the COPY
// it runs) and `\gexec` (it runs whatever the query before it returns, which cannot be checked).
import { analyzeSite, type SiteAnalysis } from "./analyze-site";
import { scanSql } from "./pg-parser";
import { splitScript, type MetaCommand } from "./sql-script";
import { render, type Part } from "./sql-text";

/** The file's analysis (file offsets), or undefined when it holds nothing but whitespace. */
export function analyzeSqlFile(text: string): SiteAnalysis | undefined {
  // A byte-order mark is not SQL; skipping it keeps offsets aligned with the file.
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.slice(start).trim() === "") return undefined;
  const whole = render([{ text: text.slice(start), srcStart: start, exact: true }], "param");
  const out: SiteAnalysis = { isSql: true, statements: [], unresolved: [], rendered: whole, commentSources: [] };
  const { statements, meta } = splitScript(text, start);
  for (const s of statements) {
    // A meta-command inside a statement leaves the statement's text on either side of it.
    const parts: Part[] = s.segments.flatMap((g, i) => [...(i > 0 ? [{ text: " ", srcStart: g.start, exact: false }] : []), { text: text.slice(g.start, g.end), srcStart: g.start, exact: true }]);
    if (s.hasCode) add(out, analyzeSite(parts, "sql-file", s.segments[0]!.start));
    else out.commentSources.push(render(parts, "param"));
  }
  for (const m of meta) {
    if (m.name === "copy") add(out, psqlCopy(m));
    if (m.name === "gexec") {
      const reason = "psql \\gexec runs every value the query before it returns as SQL; that SQL is built at runtime and cannot be checked";
      out.unresolved.push({ offset: m.start, rule: "dynamic-sql", reason });
    }
  }
  return out;
}

function add(out: SiteAnalysis, a: SiteAnalysis): void {
  out.statements.push(...a.statements);
  out.unresolved.push(...a.unresolved);
  out.commentSources.push(...a.commentSources);
}

/**
 * `\copy table|(query) FROM|TO target …` runs COPY through the client. It is read as COPY; when that does
 * not parse (psql also takes unquoted file names, pstdin, pstdout), as COPY of the same table or query
 * from STDIN / to STDOUT, which is all the lint needs to know.
 */
function psqlCopy(m: MetaCommand): SiteAnalysis {
  const head: Part = { text: "COPY", srcStart: m.start, exact: false };
  const whole = analyzeSite([head, { text: m.args, srcStart: m.argsStart, exact: true }], "sql-file", m.start);
  if (whole.unresolved.length === 0) return { ...whole, commentSources: [] };
  const dir = direction(m.args);
  const target = dir && analyzeSite([head, { text: m.args.slice(0, dir.at), srcStart: m.argsStart, exact: true }, { text: dir.from ? " FROM STDIN" : " TO STDOUT", srcStart: m.argsStart + dir.at, exact: false }], "sql-file", m.start);
  const a = target && target.unresolved.length === 0 ? target : whole;
  return { ...a, unresolved: a.unresolved.map((u) => ({ ...u, reason: u.reason.replace(/^SQL/, "psql \\copy") })), commentSources: [] };
}

/** Where the top-level FROM or TO of `\copy` arguments starts. */
function direction(args: string): { at: number; from: boolean } | undefined {
  const tokens = scanSql(args);
  if (!tokens) {
    const m = /\s(from|to)\s/i.exec(args);
    return m ? { at: m.index, from: m[1]!.toLowerCase() === "from" } : undefined;
  }
  let depth = 0;
  for (const [i, t] of tokens.entries()) {
    if (t.text === "(") depth++;
    else if (t.text === ")") depth--;
    const word = t.text.toLowerCase();
    if (i > 0 && depth === 0 && (word === "from" || word === "to")) return { at: t.start, from: word === "from" };
  }
  return undefined;
}
