// Codes of rejects: rows the mirror does not hold as PostgreSQL has them, recorded in pg2c_reject (with table,
// key, version and reason) instead of stopping the stream. They are not errors of a call: streaming goes on,
// /healthz reports "degraded" and `pg2convex status` lists them. A reject settles by itself when Convex stores
// a newer version of the row (a later change applied whole, its delete, a truncate of its table); the row is
// still in PostgreSQL, so it is replayable by key. docs/errors.md is rendered from this list too.
import type { CodeDoc } from "./codes";

const SETTLES = "It settles when Convex stores a newer version of the row.";

export const REJECT_CODES = {
  DECODE_FAILED: {
    what: "A value of the row could not be turned into a Convex value (the error of the same code, caught for one row of a mirrored table with a known key). Recorded by the bridge, while streaming or backfilling.",
    retry: `No: the same WAL decodes the same way. ${SETTLES}`,
    action: "Check the column's type against docs/type-mapping.md; change the value in PostgreSQL (or the column's type) so the row is sent again.",
  },
  SPECIAL_VALUE_UNKNOWN: {
    what: "Under wal2json 2.5 a float or numeric column arrived as null, which may be NaN or ±Infinity, and the values slot does not cover the transaction (it committed before the slot existed), so the value cannot be proven.",
    retry: `No. ${SETTLES}`,
    action: "Re-sync the row from PostgreSQL by key: update it (or any of its columns) so a transaction the values slot covers sends it again. wal2json 2.6 avoids the ambiguity.",
  },
  DOCUMENT_TOO_LARGE: {
    what: "The row, as a stored document, is over Convex's 1 MiB document limit. Planned by the bridge before the batch is sent, or found inside the mutation after omitted TOASTed columns were merged in; the stored document, if any, stays as it was.",
    retry: `No: the row is as large on every try. ${SETTLES}`,
    action: "Make the row smaller in PostgreSQL; the next change of it is mirrored again.",
  },
  PARTIAL_WITHOUT_ROW: {
    what: "An update left unchanged TOASTed columns out (wal2json sends only changed large values), and Convex holds no version of the row to take them from, or only one older than a rejected change of it. Decided inside the mutation; inventing the values would store a row PostgreSQL never had.",
    retry: `No. ${SETTLES}`,
    action: "Make PostgreSQL send the row whole: an update that sets its TOASTed columns to new values (wal2json then sends them in full).",
  },
} as const satisfies Record<string, CodeDoc>;

export type RejectCode = keyof typeof REJECT_CODES;
