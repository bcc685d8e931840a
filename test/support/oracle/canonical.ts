// The one canonical form for comparing values across PostgreSQL (decoded through the type mapping) and
// Convex: row-hash.ts's encoding (bigint, bytes, NaN/±Infinity, -0 exact; object keys sorted), the same the
// parity queries hash inside Convex. Kept under this name for the row-by-row comparator (full-compare.ts).
import type { Value } from "convex/values";
import { encodeValue } from "../../../src/mirror-functions/parity/row-hash";

export function canonical(v: Value | undefined): string {
  return encodeValue(v);
}
