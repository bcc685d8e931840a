// json/jsonb values become the same value in Convex, unless Convex cannot hold it exactly; then the column
// stores { pg2c_text: <the text PostgreSQL printed> } (wrapped.ts).
// Invariant: a json value is either reproduced exactly (numbers as the float64 whose decimal value equals
// the source number's) or wrapped whole; it is never approximated or partially kept.
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
  const depth = maxDepth(text);
  if (depth === undefined) return undefined;
  if (depth > maxNesting) return wrapText(text);
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
    const value = toConvex(parsed);
    // Real data shaped like the wrapper is wrapped itself, so isWrappedText stays unambiguous.
    return isWrappedText(value) ? wrapText(text) : value;
  } catch (e) {
    if (e instanceof NotStorable) return wrapText(text);
    throw e;
  }
}

function toConvex(v: unknown): Value {
  if (v === null || typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (!isWellFormedString(v)) throw new NotStorable();
    return v;
  }
  if (v instanceof JsonNumber) return exactFloat(v.text);
  if (Array.isArray(v)) {
    if (v.length > MAX_ARRAY_ITEMS) throw new NotStorable();
    return v.map(toConvex);
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_OBJECT_FIELDS) throw new NotStorable();
  const out: Record<string, Value> = {};
  for (const [k, item] of entries) {
    if (!isStorableFieldName(k)) throw new NotStorable();
    out[k] = toConvex(item);
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

/**
 * Deepest [ / { nesting of JSON text (a scalar is 0), counted outside strings, or undefined when brackets
 * do not balance. Matches Convex's notion of nesting for the parsed value.
 */
export function maxDepth(text: string): number | undefined {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) {
      if (--depth < 0) return undefined;
    }
  }
  return depth === 0 && !inString ? max : undefined;
}
