// Counts what a mutation spends against Convex's per-transaction limits, the way the backend (and
// convex-test's TransactionMetricsTracker) counts it: every query execution and db.get is one index
// range; insert/patch/replace/delete are one document written each, patch/replace/delete also read
// the document. Bytes are estimated from the JSON form, which over-counts (base64 bytes, quoting).
import { convexToJson, type Value } from "convex/values";
import { CONVEX_LIMITS } from "../wire/protocol";

export interface Cost {
  queries: number;
  writes: number;
}

/** The limits a mutation budgets against; tests shrink them to exercise cut-short batches. */
export interface Budget {
  databaseQueries: number;
  documentsWritten: number;
  documentsRead: number;
  bytesRead: number;
  bytesWritten: number;
  /** Largest document, reserved twice in the byte budgets. */
  documentBytes: number;
  /** Fraction of each limit that may be used. */
  headroom: number;
}

/** Convex's read limits (not in protocol.ts's CONVEX_LIMITS, which lists what the planner budgets). */
export const MAX_DOCUMENTS_READ = 32_000;
export const MAX_BYTES_READ = 16 * 1024 * 1024;

export const DEFAULT_BUDGET: Budget = {
  databaseQueries: CONVEX_LIMITS.databaseQueries,
  documentsWritten: CONVEX_LIMITS.documentsWritten,
  documentsRead: MAX_DOCUMENTS_READ,
  bytesRead: MAX_BYTES_READ,
  bytesWritten: CONVEX_LIMITS.bytesWritten,
  documentBytes: CONVEX_LIMITS.documentBytes,
  headroom: CONVEX_LIMITS.headroom,
};

export class Usage {
  constructor(private readonly budget: Budget = DEFAULT_BUDGET) {}

  queries = 0;
  writes = 0;
  docsRead = 0;
  bytesRead = 0;
  bytesWritten = 0;

  read(docs: ReadonlyArray<Record<string, Value>>): void {
    this.docsRead += docs.length;
    for (const d of docs) this.bytesRead += approxSize(d);
  }

  wrote(doc: Record<string, Value | undefined> | null): void {
    this.writes += 1;
    if (doc) this.bytesWritten += approxSize(doc);
  }

  /** True while reading more stays inside the read budget, with room left to read two maximum-size documents. */
  canRead(): boolean {
    const b = this.budget;
    return this.docsRead < b.documentsRead * b.headroom && this.bytesRead + 2 * b.documentBytes <= b.bytesRead * b.headroom;
  }

  /** True while the batch's prefetch (prefetch.ts) may read another range: it leaves half the budget to the ops. */
  canPrefetch(): boolean {
    const b = this.budget;
    return this.canRead() && this.queries < (b.databaseQueries * b.headroom) / 2 && this.docsRead < (b.documentsRead * b.headroom) / 2;
  }

  /**
   * True while `next` more (plus `pendingWrites` deferred patches) stays inside the planning budget
   * (limits × headroom), with room left to read and write two maximum-size documents.
   */
  fits(next: Cost, pendingWrites: number): boolean {
    const b = this.budget;
    const big = 2 * b.documentBytes;
    return (
      this.queries + next.queries <= b.databaseQueries * b.headroom &&
      this.writes + pendingWrites + next.writes <= b.documentsWritten * b.headroom &&
      this.docsRead <= b.documentsRead * b.headroom &&
      this.bytesRead + big <= b.bytesRead * b.headroom &&
      this.bytesWritten + big <= b.bytesWritten * b.headroom
    );
  }
}

export function approxSize(doc: Record<string, Value | undefined>): number {
  let n = 2;
  for (const [k, v] of Object.entries(doc)) if (v !== undefined) n += k.length + 4 + JSON.stringify(convexToJson(v)).length;
  return n;
}
