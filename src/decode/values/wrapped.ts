// The pg2c_text wrapper: how the mirror stores a value Convex cannot hold natively (a json key starting
// with "$", an array longer than 8,192 items, a json number float64 cannot hold exactly, ...).
// Invariant: the wrapper's text is exactly what PostgreSQL printed for the value, so nothing is lost and
// the original is recoverable with PostgreSQL's own parser.
import type { Value } from "convex/values";

export const WRAPPED_TEXT_FIELD = "pg2c_text";

// A type alias, not an interface: only object literal types are assignable to Convex's `Value`.
export type WrappedText = { readonly pg2c_text: string };

export const wrapText = (text: string): WrappedText => ({ pg2c_text: text });

/**
 * True for `{ pg2c_text: string }` and nothing else. A json value that is itself such an object is stored
 * wrapped (see json.ts), so this test never mistakes real data for a wrapper.
 */
export function isWrappedText(v: Value | undefined): v is WrappedText {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof ArrayBuffer) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === WRAPPED_TEXT_FIELD && typeof (v as Record<string, unknown>)[WRAPPED_TEXT_FIELD] === "string";
}
