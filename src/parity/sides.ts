// The two Sides of the bisection: PostgreSQL (keyset scans, hashed in Node) and Convex (parityScan).
import { RangeSum, hashHex } from "../mirror-functions/parity/row-hash";
import { segmentOf } from "../mirror-functions/parity/parity-scan";
import type { TableDef } from "../definitions/types";
import type { RowHash, Seg, Side } from "./bisect";
import type { ConvexParity, ScanSink } from "./convex-side";
import { keyString } from "../model/key";
import { boundOf, type Bound, type KeyRange } from "./keys";
import type { PgTable } from "./pg-side";

/** Rows per window of the finer cut handed to Convex: under a parity query's page (4,000 documents). */
export const WINDOW_ROWS = 3_000;

export function pgSide(table: PgTable): Side {
  return {
    // Segments of `chunk` rows, rounded up to whole windows so that every segment bound is a window bound.
    async cut(range, chunk) {
      const size = chunk <= WINDOW_ROWS ? chunk : Math.ceil(chunk / WINDOW_ROWS) * WINDOW_ROWS;
      const step = Math.min(size, WINDOW_ROWS);
      const bounds: Bound[] = [];
      const windows: Bound[] = [];
      const sums: RangeSum[] = [new RangeSum()];
      let n = 0;
      for await (const r of table.scan(range)) {
        if (n > 0 && n % step === 0) {
          const b = { v: r.key, t: r.text };
          windows.push(b);
          if (n % size === 0) {
            bounds.push(b);
            sums.push(new RangeSum());
          }
        }
        sums[sums.length - 1]!.add(r.hash);
        n++;
      }
      return { bounds, segs: sums.map(seg), windows };
    },
    async segments(range, bounds) {
      const sums = bounds.map(() => new RangeSum()).concat(new RangeSum());
      const keys = bounds.map((b) => b.v);
      for await (const r of table.scan(range)) sums[segmentOf(keys, r.key)]!.add(r.hash);
      return sums.map(seg);
    },
    async rows(range) {
      const out: RowHash[] = [];
      for await (const r of table.scan(range)) out.push({ key: r.key, id: r.id, hash: hashHex(r.hash) });
      return out;
    },
  };
}

/** `sink` receives the pages of scans over the whole table, which then also carry invariant data. */
export function convexSide(convex: ConvexParity, def: TableDef, sink?: ScanSink): Side {
  const whole = (range: KeyRange) => (range.lo === null && range.hi === null ? sink : undefined);
  const rows = async (range: KeyRange): Promise<RowHash[]> => (await convex.rows(def.convexName, range, whole(range))).map((r) => ({ key: r.k, id: keyString(r.k), hash: r.h, ver: r.v }));
  return {
    rows,
    segments: (range, bounds, windows) =>
      convex.segments(
        def.convexName,
        range,
        bounds.map((b) => b.v),
        windows?.map((w) => w.v),
        whole(range),
      ),
    // Convex cuts only where it holds far more rows than PostgreSQL (extra documents): it lists the
    // range's keys and hashes once and cuts them here.
    async cut(range, chunk) {
      const list = await rows(range);
      const bounds: Bound[] = [];
      const sums: RangeSum[] = [new RangeSum()];
      let prev: string | null = null;
      for (const r of list) {
        // Never between two documents of one key (a duplicate): a bound belongs to one segment only.
        if (sums[sums.length - 1]!.count >= chunk && r.id !== prev) {
          bounds.push(boundOf(def, r.key));
          sums.push(new RangeSum());
        }
        sums[sums.length - 1]!.merge(r.hash, 1);
        prev = r.id;
      }
      return { bounds, segs: sums.map(seg) };
    },
  };
}

const seg = (s: RangeSum): Seg => ({ count: s.count, hash: s.hex() });
