// The one PostgreSQL-text → Convex-value mapping, shared by the stream (wal2json tokens), the backfill
// (each column's output-function text, read with readText) and the parity checker. Pure: no database access, no Node-only APIs.
import type { Value } from "convex/values";
import { isLosslessNumber } from "lossless-json";
import type { ColumnDef } from "../../definitions/types";
import { parseArrayLiteral } from "./array-literal";
import { valueError } from "./errors";
import { MAX_ARRAY_ITEMS, MAX_FIELD_NESTING } from "./limits";
import { decodeScalar } from "./scalars";
import { wrapText } from "./wrapped";

export { isWrappedText, WRAPPED_TEXT_FIELD, type WrappedText } from "./wrapped";

/** A column's value from PostgreSQL's text output (its type's output function, as wal2json and readText give it); SQL NULL is `null`. */
export function decodeText(column: ColumnDef, text: string | null): Value {
  if (text === null) return null;
  return column.array ? decodeArray(column, text) : decodeScalar(column, text, MAX_FIELD_NESTING);
}

/**
 * A column's value from a wal2json format-version-2 "value" token, parsed exactly: JSON null, true/false, a
 * number (a lossless-json LosslessNumber keeping its text, or a JS number whose text is exactly String(n), see
 * ../record.ts) or a string. Funnels into decodeText.
 */
export function decodeWal2jsonValue(column: ColumnDef, token: unknown): Value {
  if (token === null) return null;
  if (typeof token === "number") {
    // What decodeText gives for String(token), without the text: a safe integer is "-?\d+" (never -0, never an
    // exponent: see ../fast-json.ts) and in range when its float64 is; a float column's value is Number(text).
    if (!column.array) {
      const t = column.type;
      if ((t === "int4" && token >= -2147483648 && token <= 2147483647) || (t === "int2" && token >= -32768 && token <= 32767)) {
        if (Number.isSafeInteger(token)) return token;
      } else if (t === "int8" && Number.isSafeInteger(token)) return BigInt(token);
      else if (t === "float8" || t === "float4") return token;
    }
    return decodeText(column, String(token));
  }
  // wal2json prints bool bare; boolout (and so the backfill) prints t/f, which pgtext keeps.
  if (typeof token === "boolean") return decodeText(column, token ? (column.type === "pgtext" ? "t" : "true") : column.type === "pgtext" ? "f" : "false");
  if (isLosslessNumber(token)) return decodeText(column, token.value);
  if (typeof token === "string") {
    // wal2json prints a bytea column as bare hex: it strips the "\x" of byteaout's hex form, but only for the
    // bytea type itself (not a domain over it, not inside arrays). Hex digits never start with a backslash.
    const stripped = !column.array && !token.startsWith("\\x") && (column.type === "bytea" || (column.type === "pgtext" && isByteaType(column.pgType)));
    return decodeText(column, stripped ? `\\x${token}` : token);
  }
  throw valueError(column, `unexpected wal2json value ${JSON.stringify(token)}`);
}

/** A pgtext column declared with the bytea type itself (as format_type prints it). */
const isByteaType = (pgType: string | undefined) => pgType === "bytea" || pgType === "pg_catalog.bytea";

function decodeArray(column: ColumnDef, text: string): Value {
  let items;
  try {
    // box is the one built-in type whose array delimiter is ";" (its elements hold commas).
    items = parseArrayLiteral(text, column.type === "pgtext" && /^(pg_catalog\.)?box$/.test(column.pgType ?? "") ? ";" : ",");
  } catch (e) {
    throw valueError(column, `malformed array literal (${(e as Error).message}): ${JSON.stringify(text.slice(0, 120))}`);
  }
  // Declared one-dimensional: a multidimensional value, or one longer than Convex allows, keeps its text.
  if (items === "multidimensional" || items.length > MAX_ARRAY_ITEMS) return wrapText(text);
  // decodeScalar reads only column.type, so the array column itself names the element in errors.
  return items.map((item, i) => (item === null ? null : decodeScalar(column, item, MAX_FIELD_NESTING - 1, i + 1)));
}
