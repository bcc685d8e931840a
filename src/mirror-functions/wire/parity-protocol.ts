// The wire contract of the parity queries, shared by the Convex handlers and the checker in src/parity.
// Keep it free of Node imports: Convex bundles this file.
import { v, type Value } from "convex/values";
import type { TableDef } from "../../definitions/types";
import type { Key } from "../../model/key";

/**
 * What one parity query may read. Convex allows 32,000 documents, 16 MiB and 4,096 index ranges per
 * function (convex-test's DEFAULT_TRANSACTION_LIMITS, enforced by the local stand-in); these stay at an
 * eighth, a quarter and half of that, so a page of maximum-size documents still fits and the limits can
 * shrink without breaking parity.
 */
export const PARITY_LIMITS = {
  docsPerQuery: 4_000,
  /** Measured with getDocumentSize, as the backend counts. */
  bytesPerQuery: 4 * 1024 * 1024,
  indexRangesPerQuery: 2_000,
  /** Keys per parityKeys call: each costs up to 2 + primary-key-length index ranges. */
  keysPerCall: 400,
  /** Segment boundaries per parityScan call. */
  boundsPerCall: 256,
  /** Invariant violations returned per page (the rest are counted). */
  violationsPerPage: 200,
} as const;

/** Columns compared between PostgreSQL and Convex: derived fields are checked against their definitions. */
export function comparedColumns(def: TableDef): string[] {
  const derived = new Set(def.derived.map((d) => d.field));
  return def.columns.filter((c) => !derived.has(c.name)).map((c) => c.name);
}

const key = v.array(v.any());
const nullableKey = v.union(key, v.null());

export const parityScanArgs = {
  table: v.string(),
  /** Inclusive lower bound of the range; null = from the first key. */
  lo: nullableKey,
  /** Exclusive upper bound; null = to the last key. */
  hi: nullableKey,
  /** Continuation: the last key the previous page read (exclusive). */
  after: v.optional(nullableKey),
  /** Segment boundaries (sorted, inside the range): segment i is [bounds[i-1], bounds[i]). */
  bounds: v.optional(v.array(key)),
  /** "rows": key, hash and version of each document; "segments": count and hash per segment. */
  mode: v.union(v.literal("rows"), v.literal("segments")),
  maxDocs: v.optional(v.number()),
  /** Also check the invariants of the documents read and sum their contributions to parent aggregates. */
  checks: v.optional(v.boolean()),
};

export interface ScanSegment {
  count: number;
  hash: string;
}
export interface ScanRow {
  k: Key;
  h: string;
  v: bigint;
}
export interface ScanResult {
  segments?: ScanSegment[];
  rows?: ScanRow[];
  /** With `checks`: the invariants of the documents read (see parity-invariants.ts). */
  checks?: ChecksResult;
  feeds?: FeedGroup[];
  /** Last key read (pass as `after`), null when nothing was read. */
  last: Key | null;
  done: boolean;
  docs: number;
}

/** Per key: present (hash, version), deleted (tombstone version), or never seen; plus the next key. */
export interface KeyState {
  h: string | null;
  v: bigint | null;
  /** Version of the key's tombstone when no document exists. */
  tomb: bigint | null;
  /** More than one document holds this key (drift: the by_pk index is meant to be unique). */
  dup?: boolean;
  next?: ScanRow | null;
}

// The mirror's own invariants as the parity queries report them (computed by parity/parity-invariants.ts).

/** A stored field that differs from what its definition gives (a reference id or a lookup). */
export interface Violation {
  key: Key;
  field: string;
  expected: Value;
  actual: Value;
}

export interface ChecksResult {
  violations: Violation[];
  /** Violations found beyond PARITY_LIMITS.violationsPerPage (not listed). */
  more: number;
  unresolved: number;
  /** Stored count/sum values per document (tables with aggregates only). */
  stored: Array<{ key: Key; fields: Record<string, Value> }>;
}

/** One page of parityDocChecks. */
export interface DocChecks extends ChecksResult {
  last: Key | null;
  done: boolean;
  docs: number;
}

/** Count/sum contributions of child rows to one parent row's aggregates, reached through reference `via`. */
export interface FeedGroup {
  parent: string;
  via: string;
  key: Value;
  sums: Record<string, number | bigint>;
}
