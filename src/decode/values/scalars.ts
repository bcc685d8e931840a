// One PostgreSQL scalar's text → its Convex value (docs/type-mapping.md is the contract).
// Invariant: strict — text PostgreSQL could not have printed for the column's type is a DECODE_FAILED error,
// never a guess (Number("") is 0 and Number("0x10") is 16; neither may slip through).
import type { Value } from "convex/values";
import type { ColumnDef, PgScalarType } from "../../definitions/types";
import { showText, valueError } from "./errors";
import { decodeJson } from "./json";
import { checkDate, parseTimestamp } from "./time";

const INTEGER = /^-?\d+$/;
const FLOAT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]{2})*$/i;

const RANGE: Partial<Record<PgScalarType, readonly [bigint, bigint]>> = {
  int2: [-(2n ** 15n), 2n ** 15n - 1n],
  int4: [-(2n ** 31n), 2n ** 31n - 1n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

const SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
]);

/**
 * `maxNesting` bounds json values: less inside an array column, whose array spends a level.
 * `element` (1-based) names the array element being decoded, for the error message.
 */
export function decodeScalar(column: ColumnDef, text: string, maxNesting: number, element?: number): Value {
  // Errors are built by failure() only when thrown: no closure per value on the hot path.
  switch (column.type) {
    case "int2":
    case "int4":
    case "int8": {
      if (!INTEGER.test(text)) throw failure(column, text, element, "not an integer");
      const n = BigInt(text);
      const [lo, hi] = RANGE[column.type]!;
      if (n < lo || n > hi) throw failure(column, text, element, `out of range for ${column.type}`);
      return column.type === "int8" ? n : Number(n);
    }
    case "float4":
    case "float8": {
      const special = SPECIAL_FLOATS.get(text);
      if (special !== undefined) return special;
      if (!FLOAT.test(text)) throw failure(column, text, element, "not a floating-point number");
      return Number(text);
    }
    case "numeric":
      // PostgreSQL's own canonical text (scale kept: "1.50"), never a float.
      if (NUMERIC.test(text) || SPECIAL_FLOATS.has(text)) return text;
      throw failure(column, text, element, "not a numeric");
    case "text":
    case "pgtext":
      // pgtext: PostgreSQL's own text output, kept as printed (the backfill reads the output function's text too).
      return text;
    case "bool":
      if (text === "t" || text === "true") return true;
      if (text === "f" || text === "false") return false;
      throw failure(column, text, element, "not a boolean");
    case "uuid":
      if (!UUID.test(text)) throw failure(column, text, element, "not a uuid");
      return text.toLowerCase();
    case "enum":
      if (column.enumValues?.includes(text)) return text;
      throw failure(column, text, element, `not a label of the enum (${(column.enumValues ?? []).join(", ")})`, "add the label to the table definition's enum values");
    case "timestamptz":
    case "timestamp": {
      const ms = parseTimestamp(text, column.type === "timestamptz");
      if (ms === undefined) throw failure(column, text, element, `not an ISO ${column.type}`, "run the PostgreSQL session with DateStyle=ISO");
      return ms;
    }
    case "date":
      if (checkDate(text)) return text;
      throw failure(column, text, element, "not an ISO date", "run the PostgreSQL session with DateStyle=ISO");
    case "json":
    case "jsonb": {
      const v = decodeJson(text, maxNesting);
      if (v === undefined) throw failure(column, text, element, "not valid JSON");
      return v;
    }
    case "bytea": {
      const hex = text.startsWith("\\x") ? text.slice(2) : undefined;
      if (hex === undefined || !HEX.test(hex)) throw failure(column, text, element, "not hex bytea", "run the PostgreSQL session with bytea_output=hex");
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      return bytes.buffer;
    }
    default: {
      const unknown: never = column.type;
      throw failure(column, text, element, `unsupported type ${String(unknown)}`);
    }
  }
}

function failure(column: ColumnDef, text: string, element: number | undefined, what: string, fix?: string) {
  const where = element === undefined ? "" : `element ${element}: `;
  return valueError(column, `${where}${what}: ${showText(text)}`, fix);
}
