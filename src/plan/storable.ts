// Rows Convex cannot store become reject ops instead of failing the whole batch (and the stream).
// The reject names table, key, version and reason; the row stays in PostgreSQL, so it is replayable by key.
import { getConvexSize, getDocumentSize, type Value } from "convex/values";
import { CONVEX_LIMITS, type Op } from "../mirror-functions/wire/protocol";

/** Room left for system fields, reference ids and the version field. */
const DOC_OVERHEAD_BYTES = 4 * 1024;

/** The op to send (a reject when the row cannot be stored) and its size as a function argument. */
export function guardStorable(op: Op): { op: Op; bytes: number } {
  const bytes = opBytes(op);
  if (op.o !== "upsert") return { op, bytes };
  const size = getDocumentSize(op.d as Record<string, Value>) + DOC_OVERHEAD_BYTES;
  if (size <= CONVEX_LIMITS.documentBytes) return { op, bytes };
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
  return getConvexSize(op as unknown as Value);
}
