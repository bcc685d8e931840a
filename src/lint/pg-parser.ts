// The real PostgreSQL parser (libpg-query, WASM). Invariant: every sync call below happens after
// `loadPgParser()` resolved; the engine's entry points await it, the ESLint plugin awaits it at import.
import { loadModule, parseSync, parsePlPgSQLSync, fingerprintSync, scanSync, type ScanToken } from "libpg-query";
import { LintInternalError } from "./errors";

let loading: Promise<void> | undefined;
let ready = false;

export function loadPgParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    ready = true;
  });
  return loading;
}

function assertReady(): void {
  if (!ready) throw new LintInternalError("the PostgreSQL parser was used before loadPgParser() resolved");
}

export interface PgParseResult {
  stmts: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[];
}

export type PgParseOutcome = { ok: true; result: PgParseResult } | { ok: false; message: string; offset: number };

/** Parses SQL. Error offsets are character offsets (libpg-query reports the cursor in characters). */
export function parseSql(sql: string): PgParseOutcome {
  assertReady();
  try {
    return { ok: true, result: parseSync(sql) as unknown as PgParseResult };
  } catch (e) {
    const details = (e as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (e instanceof Error ? e.message : String(e));
    return { ok: false, message, offset: Math.max(0, Math.min(details?.cursorPosition ?? 0, sql.length)) };
  }
}

let major: number | undefined;

/** Major PostgreSQL version whose grammar the parser implements (18 for libpg-query 18.x). */
export function parserMajorVersion(): number {
  assertReady();
  major ??= Math.floor((parseSync("SELECT 1") as unknown as { version: number }).version / 10000);
  return major;
}

/** PL/pgSQL parse of a whole CREATE FUNCTION / DO statement (the tree is untyped JSON). */
export function parsePlpgsql(statement: string): { ok: true; tree: unknown } | { ok: false; message: string } {
  assertReady();
  try {
    return { ok: true, tree: parsePlPgSQLSync(statement) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** Fingerprint of one statement; equal for statements that differ only in constants and layout. */
export function fingerprintSql(sql: string): string {
  assertReady();
  try {
    return fingerprintSync(sql);
  } catch {
    return "";
  }
}

/** Lexer tokens with character offsets, or undefined when the text cannot be tokenised (e.g. an open quote). */
export function scanSql(sql: string): ScanToken[] | undefined {
  assertReady();
  try {
    const tokens = scanSync(sql).tokens;
    const toChar = byteToCharOffsets(sql);
    return tokens.map((t) => ({ ...t, start: toChar(t.start), end: toChar(t.end) }));
  } catch {
    return undefined;
  }
}

/** libpg-query node locations are UTF-8 byte offsets; this maps them to string (UTF-16) offsets. */
export function byteToCharOffsets(text: string): (byteOffset: number) => number {
  // eslint-disable-next-line no-control-regex -- fast path: pure ASCII text has equal offsets
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => b;
  const byteStarts: number[] = [];
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    byteStarts.push(bytes);
    const code = text.codePointAt(i)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) {
      i++;
      byteStarts.push(bytes);
    }
  }
  byteStarts.push(bytes);
  return (b) => {
    let lo = 0;
    let hi = byteStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (byteStarts[mid]! <= b) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}
