// json/jsonb values become the same value in Convex, unless Convex cannot hold it exactly; then the column
// stores { pg2c_text: <the text PostgreSQL printed> } (wrapped.ts).
// Invariant: a json value is either reproduced exactly (numbers as the float64 whose decimal value equals
// the source number's) or wrapped whole; it is never approximated or partially kept.
// Two parsers, one answer: JSON.parse when a scan of the text shows it loses nothing (every number token is
// String() of its float64, no object repeats a key), lossless-json otherwise; a property test holds them equal.
import type { Value } from "convex/values";
import { parse, splitNumber } from "lossless-json";
import { isStorableFieldName, isWellFormedString, MAX_ARRAY_ITEMS, MAX_OBJECT_FIELDS } from "./limits";
import { isWrappedText, wrapText } from "./wrapped";

/** A json number kept as its source text until we know whether a float64 holds it exactly. */
class JsonNumber {
  constructor(readonly text: string) {}
}

/** Thrown inside the walk when the value cannot be stored natively; caught below and turned into a wrapper. */
class NotStorable extends Error {}

/** Result of decoding: the value, or undefined when the text is not valid JSON. */
export function decodeJson(text: string, maxNesting: number): Value | undefined {
  // Checked on the raw text first: it bounds the recursion of the parser and the walk below.
  const scan = scanJson(text);
  if (scan === undefined) return undefined;
  if (scan.depth > maxNesting) return wrapText(text);
  if (scan.plainNumbers) {
    const fast = decodeJsonByJsonParse(text, scan.members);
    if (fast !== undefined) return fast;
  }
  return decodeJsonLosslessly(text);
}

/** The lossless path alone, for text whose nesting is checked: the reference the JSON.parse path must equal. */
export function decodeJsonLosslessly(text: string): Value | undefined {
  let parsed: unknown;
  try {
    parsed = parse(text, null, {
      parseNumber: (s) => new JsonNumber(s),
      // Only json (not jsonb) keeps duplicate keys; equal duplicates are merged by the parser.
      onDuplicateKey: () => {
        throw new NotStorable();
      },
    });
  } catch (e) {
    if (e instanceof NotStorable) return wrapText(text);
    return undefined;
  }
  try {
    return unlessWrapperShaped(text, toConvex(parsed, { members: 0 }));
  } catch (e) {
    if (e instanceof NotStorable) return wrapText(text);
    throw e;
  }
}

/**
 * The value by JSON.parse, or undefined whenever the lossless path must decide: the text does not parse, an
 * object repeated a key (JSON.parse keeps the last; fewer members reached than the text has), or some part
 * cannot be stored natively. The caller has checked every number token, so a JS number here is exact.
 */
export function decodeJsonByJsonParse(text: string, members: number): Value | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const seen = { members: 0 };
  try {
    const value = toConvex(parsed, seen);
    return seen.members === members ? unlessWrapperShaped(text, value) : undefined;
  } catch (e) {
    if (e instanceof NotStorable) return undefined;
    throw e;
  }
}

/** Real data shaped like the wrapper is wrapped itself, so isWrappedText stays unambiguous. */
const unlessWrapperShaped = (text: string, value: Value): Value => (isWrappedText(value) ? wrapText(text) : value);

/** A parsed value as Convex holds it; counts object members into `seen`. Numbers are JsonNumber (lossless) or checked JS numbers (JSON.parse). */
function toConvex(v: unknown, seen: { members: number }): Value {
  if (v === null || typeof v === "boolean" || typeof v === "number") return v;
  if (typeof v === "string") {
    if (!isWellFormedString(v)) throw new NotStorable();
    return v;
  }
  if (v instanceof JsonNumber) return exactFloat(v.text);
  if (Array.isArray(v)) {
    if (v.length > MAX_ARRAY_ITEMS) throw new NotStorable();
    return v.map((item) => toConvex(item, seen));
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_OBJECT_FIELDS) throw new NotStorable();
  seen.members += entries.length;
  const out: Record<string, Value> = {};
  for (const [k, item] of entries) {
    if (!isStorableFieldName(k)) throw new NotStorable();
    out[k] = toConvex(item, seen);
  }
  return out;
}

/** The float64 for a json number when its decimal value is exactly that float's shortest decimal form. */
function exactFloat(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new NotStorable();
  const a = splitNumber(text);
  const b = splitNumber(String(n));
  if (a.sign !== b.sign || a.digits !== b.digits || a.exponent !== b.exponent) throw new NotStorable();
  return n;
}

/** What one pass over JSON text shows, outside strings. */
export interface JsonScan {
  /** Deepest [ / { nesting (a scalar is 0); matches Convex's notion of nesting for the parsed value. */
  depth: number;
  /** Object members: every `:` outside strings, duplicates included. */
  members: number;
  /** Every number token is exactly String() of its float64, so JSON.parse keeps it whole. */
  plainNumbers: boolean;
}

/** One pass over JSON text, or undefined when brackets or quotes do not balance. Not a validator: JSON.parse or lossless-json decides validity. */
export function scanJson(text: string): JsonScan | undefined {
  let depth = 0;
  let max = 0;
  let members = 0;
  let plainNumbers = true;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x3a) members++;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) {
      if (--depth < 0) return undefined;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && isNumberChar(text.charCodeAt(j))) j++;
      if (plainNumbers && !isPlainNumber(text, i, j)) plainNumbers = false;
      i = j - 1;
    }
  }
  return depth === 0 && !inString ? { depth: max, members, plainNumbers } : undefined;
}

/** Characters a JSON number token can hold after its first: digits, `.`, `e`/`E`, `+`, `-`. */
const isNumberChar = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

/** text[from, to) is String() of its float64: at most 15 digits with no leading zero always are; anything else is checked. */
function isPlainNumber(text: string, from: number, to: number): boolean {
  const first = text.charCodeAt(from);
  if (to - from <= 15 && first >= 0x31 && first <= 0x39) {
    let digits = true;
    for (let k = from + 1; k < to && digits; k++) digits = text.charCodeAt(k) >= 0x30 && text.charCodeAt(k) <= 0x39;
    if (digits) return true;
  }
  const token = text.slice(from, to);
  return String(Number(token)) === token;
}
