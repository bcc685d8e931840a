// Parser for one change line of PostgreSQL's built-in test_decoding output plugin, e.g.
//   table public."Odd T": UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:2 f[double precision]:NaN
// test_decoding prints every value with the type's own output function, so NaN, Infinity and -Infinity arrive
// as those words (wal2json 2.5 prints them as JSON null). Grammar, from contrib/test_decoding:
//   name   = quote_identifier(attname): a bare identifier or "..." with "" for a quote
//   type   = format_type(): may hold quotes, brackets and parentheses
//   value  = null | unchanged-toast-datum | '...' ('' for a quote) | B'...' | a bare token (numbers, true/false)
// Invariant: a value is reported `bare` only when test_decoding printed it unquoted, so text that merely reads
// "NaN" inside a quoted literal is never mistaken for a special float.
import { Pg2ConvexError } from "../errors";

export interface TestDecodingValue {
  readonly name: string;
  /** The printed value; for a quoted literal the unescaped text. null for SQL NULL. */
  readonly text: string | null;
  /** True for an unquoted token (numbers, booleans, NaN/Infinity). */
  readonly bare: boolean;
}

export interface TestDecodingChange {
  readonly schema: string;
  readonly table: string;
  readonly action: "INSERT" | "UPDATE" | "DELETE";
  /** The new tuple's columns (the key's, for a DELETE). */
  readonly columns: readonly TestDecodingValue[];
}

const ACTIONS = [": INSERT: ", ": UPDATE: ", ": DELETE: "] as const;

/** Null for lines that are not row changes (BEGIN, COMMIT, TRUNCATE, messages). */
export function parseTestDecodingChange(line: string): TestDecodingChange | null {
  if (!line.startsWith("table ")) return null;
  const at = actionAt(line);
  if (!at) return null;
  const { action, end } = at;
  const [schema, afterSchema] = readIdent(line, "table ".length, ".");
  const [table] = readIdent(line, afterSchema + 1, ":");
  let pos = end;
  if (line.startsWith("old-key: ", pos)) {
    // The old key's columns come first; they are read (not searched) so a key's text cannot fake the marker.
    pos = readColumns(line, pos + "old-key: ".length, []);
    if (!line.startsWith("new-tuple: ", pos)) throw malformed(line, "old-key without new-tuple");
    pos += "new-tuple: ".length;
  }
  const columns: TestDecodingValue[] = [];
  if (!line.startsWith("(no-tuple-data)", pos)) readColumns(line, pos, columns);
  return { schema, table, action, columns };
}

/** Reads `name[type]:value` items separated by one space, up to the end or a "new-tuple: " marker. */
function readColumns(line: string, start: number, into: TestDecodingValue[]): number {
  let pos = start;
  while (pos < line.length && !line.startsWith("new-tuple: ", pos)) {
    const [name, afterName] = readIdent(line, pos, "[");
    if (line[afterName] !== "[") throw malformed(line, `column name without type at ${afterName}`);
    const [value, afterValue] = readValue(line, skipType(line, afterName));
    into.push({ name, ...value });
    pos = afterValue;
    if (pos < line.length) {
      if (line[pos] !== " ") throw malformed(line, `expected a space at ${pos}`);
      pos++;
    }
  }
  return pos;
}

/** quote_identifier() output ending right before `stop`: bare (no quotes, dots or colons) or "..." with "". */
function readIdent(line: string, pos: number, stop: string): [string, number] {
  if (line[pos] !== '"') {
    const end = line.indexOf(stop, pos);
    if (end < 0) throw malformed(line, `unreadable table name at ${pos}`);
    return [line.slice(pos, end), end];
  }
  return readQuoted(line, pos, '"');
}

/** A `quote`-delimited string starting at `pos`, the quote doubled inside; returns it and the index after it. */
function readQuoted(line: string, pos: number, quote: string): [string, number] {
  let out = "";
  let i = pos + 1;
  for (;;) {
    const q = line.indexOf(quote, i);
    if (q < 0) throw malformed(line, `unterminated ${quote}-quoted text at ${pos}`);
    out += line.slice(i, q);
    if (line[q + 1] !== quote) return [out, q + 1];
    out += quote;
    i = q + 2;
  }
}

/** The action keyword after the (possibly quoted) qualified table name. */
function actionAt(line: string): { action: TestDecodingChange["action"]; end: number } | null {
  let inQuote = false;
  for (let i = "table ".length; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"')
      inQuote = !inQuote; // "" inside a quoted name toggles twice: still inside
    else if (!inQuote && ch === ":") {
      for (const a of ACTIONS) if (line.startsWith(a, i)) return { action: a.slice(2, -2) as TestDecodingChange["action"], end: i + a.length };
      return null; // TRUNCATE and anything else
    }
  }
  return null;
}

/** From "[" to just past the "]:" that ends the type (outside quotes). */
function skipType(line: string, pos: number): number {
  let inQuote = false;
  for (let i = pos + 1; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && ch === "]" && line[i + 1] === ":") return i + 2;
  }
  throw malformed(line, `unterminated type at ${pos}`);
}

function readValue(line: string, pos: number): [{ text: string | null; bare: boolean }, number] {
  const quoted = line[pos] === "'" ? pos : line[pos] === "B" && line[pos + 1] === "'" ? pos + 1 : -1;
  if (quoted >= 0) {
    const [text, end] = readQuoted(line, quoted, "'");
    return [{ text, bare: false }, end];
  }
  let end = line.indexOf(" ", pos);
  if (end < 0) end = line.length;
  const token = line.slice(pos, end);
  if (token === "null") return [{ text: null, bare: false }, end];
  return [{ text: token, bare: true }, end];
}

function malformed(line: string, why: string): Pg2ConvexError {
  return new Pg2ConvexError("DECODE_FAILED", `unreadable test_decoding line (${why}): ${line.slice(0, 200)}`, {
    fix: "report this line to the pg2convex maintainers; the values slot's output format was not understood",
  });
}
