// Rows Convex cannot store become reject ops instead of failing the whole batch (and the stream).
// The reject names table, key, version and reason; the row stays in PostgreSQL, so it is replayable by key.
// Sizes are Convex's own (getConvexSize / getDocumentSize, computed by size.ts); an upsert's document is walked
// once, for both its stored size and its share of the op's argument size.
import { getConvexSize, getDocumentSize, type Value } from "convex/values";
import { CONVEX_LIMITS, type Op } from "../mirror-functions/wire/protocol";
import { utf8Length, valueSize } from "./size";

/** Room left for system fields, reference ids and the version field. */
const DOC_OVERHEAD_BYTES = 4 * 1024;

/** The op to send (a reject when the row cannot be stored) and its size as a function argument. */
export function guardStorable(op: Op): { op: Op; bytes: number } {
  if (op.o !== "upsert") return { op, bytes: opBytes(op) };
  const d = op.d as Record<string, Value>;
  const dBytes = valueSize(d);
  const size = documentSize(d, dBytes) + DOC_OVERHEAD_BYTES;
  if (size <= CONVEX_LIMITS.documentBytes) return { op, bytes: objectSize(op as unknown as Record<string, Value | undefined>, "d", dBytes) };
  const reject: Op = {
    o: "reject",
    t: op.t,
    k: op.k,
    ver: op.ver,
    code: "DOCUMENT_TOO_LARGE",
    reason: `row is ${size} bytes as a stored document; Convex stores at most ${CONVEX_LIMITS.documentBytes} bytes per document`,
  };
  return { op: reject, bytes: opBytes(reject) };
}

/** Approximate bytes of an op as a function argument (Convex's own size function). */
export function opBytes(op: Op): number {
  return valueSize(op as unknown as Value);
}

/** What getDocumentSize adds for the system fields of a document that has neither. */
const SYSTEM_FIELDS_BYTES = getDocumentSize({}) - getConvexSize({});

/** getDocumentSize(d), given getConvexSize(d). */
function documentSize(d: Record<string, Value>, dBytes: number): number {
  if ("_id" in d || "_creationTime" in d) return getDocumentSize(d);
  return dBytes + SYSTEM_FIELDS_BYTES;
}

/** getConvexSize(o) for a plain object whose field `known` is already measured (`knownBytes`). */
function objectSize(o: Record<string, Value | undefined>, known: string, knownBytes: number): number {
  let size = 2;
  for (const key in o) {
    const v = o[key];
    if (v === undefined) continue;
    size += utf8Length(key) + 1 + (key === known ? knownBytes : valueSize(v));
  }
  return size;
}
