// Checksum bisection (the approach of data-diff): hash a key range on both sides; where the hashes differ,
// cut it into `factor` segments of equal row count on the side holding more rows, hash the same segments
// on the other side, and recurse into the segments that differ until they hold at most `leafRows` rows on
// both sides; there, compare key/hash lists. Invariant: every key whose row differs (or exists on one side
// only) lies in a segment whose count or hash differs, at every level, so it reaches a leaf (up to a
// 2^-64 hash collision). Only counts, hashes and leaf key/hash lists cross the wire.
import type { Key } from "../model/key";
import type { KeyRange, Bound } from "./keys";

export interface Seg {
  count: number;
  hash: string;
}
export interface RowHash {
  key: Key;
  id: string;
  hash: string;
  /** Convex: the document's version. */
  ver?: bigint;
}
export interface Side {
  /**
   * Consecutive segments of `chunk` rows covering `range`; bounds[i] is the first key of segment i+1.
   * `windows`, when given, is a finer cut (about one query page each) that contains every bound.
   */
  cut(range: KeyRange, chunk: number): Promise<{ bounds: Bound[]; segs: Seg[]; windows?: Bound[] }>;
  /** Count and hash of each segment of `range` cut at `bounds` (`windows`: the splitter's finer cut). */
  segments(range: KeyRange, bounds: Bound[], windows?: Bound[]): Promise<Seg[]>;
  rows(range: KeyRange): Promise<RowHash[]>;
}

/** "reordered": seen missing in one leaf and extra in another (the sides order the key differently). */
export type CandidateKind = "missing" | "extra" | "mismatch" | "duplicate" | "reordered";
export interface Candidate {
  key: Key;
  id: string;
  kind: CandidateKind;
}

export interface BisectOptions {
  /** Segments per cut (data-diff's bisection factor). */
  factor: number;
  /** Ranges at most this large on both sides are compared row by row (data-diff's bisection threshold). */
  leafRows: number;
}

export const DEFAULT_BISECT: BisectOptions = { factor: 16, leafRows: 1_000 };
const MAX_DEPTH = 40;

export interface BisectStats {
  segmentsHashed: number;
  leaves: number;
  leafRows: number;
  depth: number;
}

export async function bisect(pg: Side, cx: Side, total: number, opts: BisectOptions = DEFAULT_BISECT) {
  const stats: BisectStats = { segmentsHashed: 0, leaves: 0, leafRows: 0, depth: 0 };
  const candidates: Candidate[] = [];
  const counts = { postgres: 0, convex: 0 };

  const leaf = async (range: KeyRange) => {
    const [a, b] = await Promise.all([pg.rows(range), cx.rows(range)]);
    stats.leaves++;
    stats.leafRows += Math.max(a.length, b.length);
    candidates.push(...diffLeaf(a, b));
    if (range.lo === null && range.hi === null) Object.assign(counts, { postgres: a.length, convex: b.length });
  };

  const visit = async (range: KeyRange, pgCount: number, cxCount: number, depth: number): Promise<void> => {
    stats.depth = Math.max(stats.depth, depth);
    const most = Math.max(pgCount, cxCount);
    if (most <= opts.leafRows || depth >= MAX_DEPTH) return leaf(range);
    const [splitter, other] = cxCount > pgCount ? [cx, pg] : [pg, cx];
    const { bounds, segs, windows } = await splitter.cut(range, Math.ceil(most / opts.factor));
    // A bound without a PostgreSQL text form cannot delimit a PostgreSQL scan: compare this range whole.
    if (bounds.some((b) => b.t === null)) return leaf(range);
    const theirs = await other.segments(range, bounds, windows);
    stats.segmentsHashed += segs.length;
    const [pgSegs, cxSegs] = splitter === pg ? [segs, theirs] : [theirs, segs];
    if (depth === 0) {
      counts.postgres = sum(pgSegs);
      counts.convex = sum(cxSegs);
    }
    for (let i = 0; i < segs.length; i++) {
      const p = pgSegs[i]!;
      const c = cxSegs[i]!;
      if (p.count === c.count && p.hash === c.hash) continue;
      const sub: KeyRange = { lo: i === 0 ? range.lo : bounds[i - 1]!, hi: i === segs.length - 1 ? range.hi : bounds[i]! };
      // A cut that made no progress (one segment holding everything) would loop: compare it whole.
      if (segs.length === 1) await leaf(sub);
      else await visit(sub, p.count, c.count, depth + 1);
    }
  };

  const whole: KeyRange = { lo: null, hi: null };
  if (total <= opts.leafRows) await leaf(whole);
  else await visit(whole, total, total, 0);
  return { candidates: reconcile(candidates), stats, counts };
}

const sum = (segs: Seg[]) => segs.reduce((a, s) => a + s.count, 0);

/** Row-by-row comparison of one range; a key listed twice by Convex is a duplicate document. */
export function diffLeaf(pgRows: RowHash[], cxRows: RowHash[]): Candidate[] {
  const out: Candidate[] = [];
  const pgById = new Map(pgRows.map((r) => [r.id, r]));
  const seen = new Set<string>();
  for (const r of cxRows) {
    if (seen.has(r.id)) {
      out.push({ key: r.key, id: r.id, kind: "duplicate" });
      continue;
    }
    seen.add(r.id);
    const p = pgById.get(r.id);
    if (!p) out.push({ key: r.key, id: r.id, kind: "extra" });
    else if (p.hash !== r.hash) out.push({ key: r.key, id: r.id, kind: "mismatch" });
  }
  for (const p of pgRows) if (!seen.has(p.id)) out.push({ key: p.key, id: p.id, kind: "missing" });
  return out;
}

/**
 * Where the two sides order keys differently (enum or numeric keys), one key can surface as missing in one
 * leaf and extra in another: it becomes one "reordered" candidate, which the re-check compares directly
 * (equal rows then vanish silently instead of counting as in flight).
 */
function reconcile(list: Candidate[]): Candidate[] {
  const byId = new Map<string, Candidate>();
  for (const c of list) {
    const prev = byId.get(c.id);
    if (!prev) byId.set(c.id, c);
    else if (c.kind === "duplicate" || prev.kind === "duplicate") byId.set(c.id, { ...prev, kind: "duplicate" });
    else if (prev.kind !== c.kind) byId.set(c.id, { ...prev, kind: "reordered" });
  }
  return [...byId.values()];
}
