// Splits a .sql file into statements the way psql does, so that one statement the parser rejects
// cannot hide the others: `;` ends a statement only outside quotes, dollar quotes, comments and
// parentheses, and outside the BEGIN … END of a `CREATE FUNCTION|PROCEDURE … BEGIN ATOMIC` body
// (psql's own heuristic). A backslash outside quotes starts a psql meta-command that runs to the end
// of the line and is no part of any statement; the \g family also ends the statement before it.
// libpg-query offers no splitter, and its lexer gives up on a whole text at one unterminated quote.
import { commentEnd, dollarEnd, dollarTag, IDENT_CHAR, IDENT_START, lineEnd, quoteEnd, wordBefore } from "./sql-script-tokens";

export interface ScriptStatement {
  /** File offsets of the statement's text; several segments when meta-commands interrupt it. */
  segments: { start: number; end: number }[];
  /** False when the text holds only whitespace and comments. */
  hasCode: boolean;
}

export interface MetaCommand {
  /** Offset of the backslash. */
  start: number;
  /** Command name without the backslash, e.g. `copy`, `i`, `gexec`. */
  name: string;
  args: string;
  argsStart: number;
}

/** Meta-commands that send the query buffer, i.e. end the statement they follow. */
const SENDS = /^(g|gx|gset|gexec|gdesc|crosstabview|watch|;)$/;
/** A statement (after leading whitespace and comments) that makes psql read data lines from the script. */
const COPY_FROM_STDIN = /^(?:\s|--[^\n]*|\/\*[\s\S]*?\*\/)*copy\b[^;]*\bfrom\s+stdin\b/i;

export function splitScript(text: string, from = 0): { statements: ScriptStatement[]; meta: MetaCommand[] } {
  const statements: ScriptStatement[] = [];
  const meta: MetaCommand[] = [];
  let segments: { start: number; end: number }[] = [];
  let segStart = from;
  let hasCode = false;
  let parens = 0;
  let begins = 0;
  let words: string[] = [];
  const finish = (end: number, next: number) => {
    segments.push({ start: segStart, end });
    statements.push({ segments: segments.filter((s) => s.end > s.start), hasCode });
    segments = [];
    segStart = next;
    hasCode = false;
    parens = begins = 0;
    words = [];
  };
  let i = from;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (text.startsWith("--", i)) i = lineEnd(text, i);
    else if (text.startsWith("/*", i)) i = commentEnd(text, i);
    else if (c === "\\") {
      const m = metaCommand(text, i);
      meta.push(m.command);
      if (SENDS.test(m.command.name)) finish(i, m.end);
      else {
        if (text.slice(segStart, i).trim() !== "") segments.push({ start: segStart, end: i });
        segStart = m.end;
      }
      i = m.end;
      // `\copy … FROM STDIN` reads the lines that follow, up to `\.`, as data.
      if (m.command.name === "copy" && /\bfrom\s+stdin\b/i.test(m.command.args)) i = segStart = copyDataEnd(text, i);
    } else if (c === ";" && parens === 0 && begins === 0) {
      finish(i + 1, i + 1);
      i++;
      const last = statements[statements.length - 1]!;
      if (COPY_FROM_STDIN.test(last.segments.map((s) => text.slice(s.start, s.end)).join(" "))) i = segStart = copyDataEnd(text, i);
    } else {
      hasCode = true;
      if (c === "'") i = quoteEnd(text, i, /^[eE]$/.test(wordBefore(text, i)));
      else if (c === '"') i = quoteEnd(text, i, false);
      else if (c === "$" && dollarTag(text, i)) i = dollarEnd(text, i, dollarTag(text, i)!);
      else if (IDENT_START.test(c)) {
        let j = i + 1;
        while (j < text.length && IDENT_CHAR.test(text[j]!)) j++;
        const word = text.slice(i, j).toLowerCase();
        if (words.length < 4) words.push(word);
        begins = trackBegin(words, word, parens, begins);
        i = j;
      } else {
        if (c === "(") parens++;
        else if (c === ")" && parens > 0) parens--;
        i++;
      }
    }
  }
  if (segStart < text.length || segments.length > 0) finish(text.length, text.length);
  return { statements: statements.filter((s) => s.segments.length > 0), meta };
}

/** psql's rule: inside `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, BEGIN (and CASE within it) nest until END. */
function trackBegin(words: readonly string[], word: string, parens: number, begins: number): number {
  const head = words.slice(0, 4).join(" ");
  const routine = /^create (or replace )?(function|procedure)\b/.test(head);
  if (!routine || parens > 0) return begins;
  if (word === "begin") return begins + 1;
  if (word === "case" && begins > 0) return begins + 1;
  if (word === "end" && begins > 0) return begins - 1;
  return begins;
}

/** COPY data starts on the next line and ends after a line holding only `\.` (or at EOF). */
function copyDataEnd(text: string, i: number): number {
  const nl = text.indexOf("\n", i);
  if (nl < 0) return text.length;
  const end = /^\\\.[ \t\r]*$/m.exec(text.slice(nl + 1));
  return end ? nl + 1 + end.index + end[0].length : text.length;
}

/** A meta-command runs to the end of its line, or to a `\\` separator after which SQL resumes. */
function metaCommand(text: string, i: number): { command: MetaCommand; end: number } {
  const eol = lineEnd(text, i);
  const name = /^\\([A-Za-z]+|[^\sA-Za-z])/.exec(text.slice(i, eol))?.[1] ?? "";
  const argsStart = i + 1 + name.length;
  if (name === "\\") return { command: { start: i, name, args: "", argsStart }, end: argsStart };
  const sep = text.indexOf("\\\\", argsStart);
  const argsEnd = sep >= 0 && sep < eol ? sep : eol;
  const end = argsEnd === eol ? eol : argsEnd + 2;
  return { command: { start: i, name, args: text.slice(argsStart, argsEnd), argsStart }, end };
}
