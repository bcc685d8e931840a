// Convex side of parity: the parity queries of src/mirror-functions called through the shared Convex client
// (admin auth, timeouts, retries, error mapping), paged until done. Only hashes, keys and (for drifted keys)
// documents cross the wire.
import { Pg2ConvexError } from "../errors";
import type { Value } from "convex/values";
import type { MirrorState } from "../mirror-functions/wire/protocol";
import { PARITY_LIMITS, type KeyState, type ScanResult, type ScanRow, type ScanSegment } from "../mirror-functions/wire/parity-protocol";
import type { DocChecks, FeedGroup } from "../mirror-functions/wire/parity-protocol";
import type { ParityTableState, RecordParityRunArgs } from "../mirror-functions/parity/parity-history";
import { MAX_KEYS_PER_CALL } from "../mirror-functions/queries";
import { RangeSum } from "../mirror-functions/parity/row-hash";
import type { ConvexClient, MirrorReader } from "../convex-client";
import { segmentOf } from "../mirror-functions/parity/parity-scan";
import type { Key } from "../model/key";
import type { KeyRange } from "./keys";

/** Where the parity functions a deployment lacks are described. */
export const PARITY_FUNCTIONS_DOC = 'README.md, "Parity reports" → "Convex functions"';

/**
 * A deployment without the parity functions was most likely deployed before parity existed: the fix is to
 * export them, which the client's generic "functions missing" fix does not say.
 */
function parityFailure(e: unknown): unknown {
  if (!(e instanceof Pg2ConvexError) || e.code !== "CONVEX_FUNCTIONS_MISSING") return e;
  return new Pg2ConvexError(e.code, e.message, {
    context: e.context,
    cause: e.cause,
    fix: `deploy the current mirror functions: export the parity functions from convex/mirror.ts (see ${PARITY_FUNCTIONS_DOC}) and run npx convex deploy; --convex-module must name that module`,
  });
}

/** Parity queries in flight at once per table scan. */
const CONCURRENCY = 4;

export type ScanSink = (page: ScanResult) => void;

/** Runs task(0..n-1), at most `limit` at a time. */
export async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

export class ConvexParity {
  calls = 0;
  docsRead = 0;
  private readonly client: ConvexClient;

  constructor(readonly reader: MirrorReader) {
    this.client = reader.client;
  }

  private async q<T>(name: string, args: Record<string, unknown>): Promise<T> {
    this.calls++;
    const table = args.table ?? args.child;
    return this.client.query<T>(name, args, typeof table === "string" ? { context: { table } } : {}).catch((e: unknown) => {
      throw parityFailure(e);
    });
  }

  state(slot: string): Promise<MirrorState> {
    this.calls++;
    return this.reader.state(slot);
  }

  async count(table: string): Promise<number> {
    this.calls++;
    return this.reader.countRows(table);
  }

  /**
   * Count and hash of each segment of `range` cut at `bounds`. With `windows` (a finer cut containing every
   * bound, each window about one page of rows), each window is its own query over its own key range, a
   * few at a time: a tight range is what lets a backend (and the local stand-in) read only that window.
   * `sink` receives every page (with `checks`, the invariant data of the documents read).
   */
  async segments(table: string, range: KeyRange, bounds: Key[], windows?: Key[], sink?: ScanSink): Promise<ScanSegment[]> {
    const sums = bounds.map(() => new RangeSum()).concat(new RangeSum());
    if (!windows) {
      // Long bound lists go in slices: segments [s, e) are one call over [lower bound of s, upper bound of e-1).
      const m = bounds.length;
      for (let s = 0; s <= m;) {
        const e = Math.min(m + 1, s + PARITY_LIMITS.boundsPerCall + 1);
        const lo = s === 0 ? (range.lo?.v ?? null) : bounds[s - 1]!;
        const hi = e === m + 1 ? (range.hi?.v ?? null) : bounds[e - 1]!;
        for await (const page of this.pages(table, { lo, hi, bounds: bounds.slice(s, e - 1), mode: "segments", checks: sink !== undefined })) {
          sink?.(page);
          page.segments!.forEach((seg, i) => sums[s + i]!.merge(seg.hash, seg.count));
        }
        s = e;
      }
    } else {
      const edges = [range.lo?.v ?? null, ...windows, range.hi?.v ?? null];
      await pool(windows.length + 1, CONCURRENCY, async (j) => {
        const lo = edges[j]!;
        const into = sums[lo === null ? 0 : segmentOf(bounds, lo)]!;
        for await (const page of this.pages(table, { lo, hi: edges[j + 1]!, mode: "segments", checks: sink !== undefined })) {
          sink?.(page);
          into.merge(page.segments![0]!.hash, page.segments![0]!.count);
        }
      });
    }
    return sums.map((s) => ({ count: s.count, hash: s.hex() }));
  }

  /** Key, hash and version of every document of `range`. */
  async rows(table: string, range: KeyRange, sink?: ScanSink): Promise<ScanRow[]> {
    const out: ScanRow[] = [];
    for await (const page of this.pages(table, { lo: range.lo?.v ?? null, hi: range.hi?.v ?? null, mode: "rows", checks: sink !== undefined })) {
      sink?.(page);
      out.push(...page.rows!);
    }
    return out;
  }

  private async *pages(table: string, args: { lo: Key | null; hi: Key | null; bounds?: Key[]; mode: "rows" | "segments"; checks: boolean }): AsyncGenerator<ScanResult> {
    let after: Key | null = null;
    const { checks, ...rest } = args;
    for (;;) {
      const page: ScanResult = await this.q("parityScan", { table, ...rest, ...(checks ? { checks } : {}), ...(after ? { after } : {}) });
      this.docsRead += page.docs;
      yield page;
      if (page.done || !page.last) return;
      after = page.last;
    }
  }

  /** State of each key; with `next`, also the first document after it up to next[i] (null = unbounded). */
  async keys(table: string, keys: Key[], next?: Array<Key | null>): Promise<{ states: KeyState[]; truncatedAt: bigint | null }> {
    const states: KeyState[] = [];
    let truncatedAt: bigint | null = null;
    for (let i = 0; i < keys.length; i += PARITY_LIMITS.keysPerCall) {
      const slice = (xs: unknown[]) => xs.slice(i, i + PARITY_LIMITS.keysPerCall);
      const r: { states: KeyState[]; truncatedAt: bigint | null } = await this.q("parityKeys", { table, keys: slice(keys), ...(next ? { next: slice(next) } : {}) });
      states.push(...r.states);
      truncatedAt = r.truncatedAt;
    }
    return { states, truncatedAt };
  }

  changed(table: string, since: bigint): Promise<boolean> {
    return this.q("parityChanged", { table, since });
  }

  async docs(table: string, keys: Key[]): Promise<Array<Record<string, unknown> | null>> {
    const out: Array<Record<string, unknown> | null> = [];
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_CALL) {
      this.calls++;
      out.push(...(await this.reader.getByKeys(table, keys.slice(i, i + MAX_KEYS_PER_CALL))));
    }
    return out;
  }

  async *docChecks(table: string): AsyncGenerator<DocChecks> {
    let after: Key | null = null;
    for (;;) {
      const page: DocChecks = await this.q("parityDocChecks", { table, after });
      this.docsRead += page.docs;
      yield page;
      if (page.done || !page.last) return;
      after = page.last;
    }
  }

  async docChecksFor(table: string, keys: Key[]): Promise<DocChecks[]> {
    const out: DocChecks[] = [];
    for (let i = 0; i < keys.length; i += PARITY_LIMITS.keysPerCall) out.push(await this.q("parityDocChecks", { table, after: null, keys: keys.slice(i, i + PARITY_LIMITS.keysPerCall) }));
    return out;
  }

  async *feeds(child: string): AsyncGenerator<FeedGroup[]> {
    let after: Key | null = null;
    for (;;) {
      const page: { groups: FeedGroup[]; last: Key | null; done: boolean; docs: number } = await this.q("parityFeeds", { child, after });
      this.docsRead += page.docs;
      yield page.groups;
      if (page.done || !page.last) return;
      after = page.last;
    }
  }

  /** Summed contributions of one parent's children through `via`. */
  async feedFor(child: string, via: string, parent: string, key: Value): Promise<Array<Record<string, number | bigint>>> {
    const pages: Array<Record<string, number | bigint>> = [];
    let cursor: string | null = null;
    for (;;) {
      const page: { sums: Record<string, number | bigint>; cursor: string; done: boolean; docs: number } = await this.q("parityFeedFor", { child, via, parent, key, cursor });
      this.docsRead += page.docs;
      pages.push(page.sums);
      if (page.done) return pages;
      cursor = page.cursor;
    }
  }

  async record(run: RecordParityRunArgs): Promise<{ recorded: boolean }> {
    this.calls++;
    return this.client.mutation<{ recorded: boolean }>("recordParityRun", run, { context: { runId: run.runId } }).catch((e: unknown) => {
      throw parityFailure(e);
    });
  }

  status(): Promise<ParityTableState[]> {
    return this.q("parityStatus", {});
  }
}
