// The first pass over one table, inside the run's PostgreSQL snapshot: what each mode compares. It only
// collects candidates; recheck.ts / counts.ts / invariant-recheck.ts decide which of them are drift.
//   count  — row counts.
//   sample — N random PostgreSQL keys, plus each one's successor on both sides (so an extra Convex document
//            is found as often as a missing one), by canonical row hash; row counts; the invariants of
//            the sampled documents.
//   full   — checksum bisection of the whole key space; every document's invariants.
import type { MirrorConfig } from "../mirror-functions/config";
import { hashHex } from "../mirror-functions/parity/row-hash";
import { bisect, type BisectOptions, type Candidate } from "./bisect";
import type { ConvexParity } from "./convex-side";
import type { Value } from "convex/values";
import { addChecks, hasInvariants, keyInvariants, type FeedTotals, type InvariantPass } from "./invariants";
import type { ScanSink } from "./convex-side";
import { compareKeys, keyString, type Key } from "../model/key";
import type { PgTable } from "./pg-side";
import type { Mode } from "./report";
import { convexSide, pgSide } from "./sides";

export interface FirstPass {
  candidates: Candidate[];
  counts: { postgres: number; convex: number } | null;
  /** Rows compared by content. */
  checked: number;
  invariants: InvariantPass | null;
  /** Full mode: stored count/sum values, compared once every child table has been scanned. */
  stored: Array<{ key: Key; fields: Record<string, Value> }>;
  stats: Record<string, number>;
}

/** Sampled parent rows whose aggregates are re-summed from their children (each costs a child scan). */
const AGGREGATE_SAMPLE = 100;

export async function firstPass(mode: Mode, args: { config: MirrorConfig; table: PgTable; convex: ConvexParity; totals: FeedTotals; sample: number; bisect: BisectOptions }): Promise<FirstPass> {
  const { config, table, convex } = args;
  const def = table.def;
  const info = config.table(def.name);
  if (mode === "count") {
    const [postgres, cx] = await Promise.all([table.count(), convex.count(def.convexName)]);
    return { candidates: [], counts: { postgres, convex: cx }, checked: 0, invariants: null, stored: [], stats: {} };
  }
  if (mode === "full") {
    // The scan of the whole table in Convex also checks every document's invariants and sums its
    // contributions to parent aggregates: each table is read once.
    const invariants: InvariantPass = { violations: [], unresolved: 0, checked: 0 };
    const stored: FirstPass["stored"] = [];
    const sink: ScanSink = (page) => {
      if (!page.checks) return;
      addChecks(info, invariants, page.checks, page.docs);
      stored.push(...page.checks.stored);
      args.totals.collect(def, page.feeds ?? []);
    };
    const total = await table.count();
    const r = await bisect(pgSide(table), convexSide(convex, def, sink), total, args.bisect);
    args.totals.collected(def);
    return { candidates: r.candidates, counts: r.counts, checked: Math.max(r.counts.postgres, r.counts.convex), invariants: hasInvariants(info) ? invariants : null, stored, stats: { ...r.stats } };
  }
  const rows = await table.sample(args.sample);
  const successors = await table.successors(rows.map((r) => r.text));
  // Convex's next key after each sampled key is looked for up to PostgreSQL's (null: to the end).
  const { states } = await convex.keys(
    def.convexName,
    rows.map((r) => r.key),
    successors.map((s) => s?.key ?? null),
  );
  const found = new Map<string, Candidate>();
  const add = (key: Key, kind: Candidate["kind"]) => found.has(keyString(key)) || found.set(keyString(key), { key, id: keyString(key), kind });
  const checked = new Set<string>();
  rows.forEach((row, i) => {
    const st = states[i]!;
    checked.add(row.id);
    if (st.h === null) add(row.key, "missing");
    else if (st.dup) add(row.key, "duplicate");
    else if (st.h !== hashHex(row.hash)) add(row.key, "mismatch");
    const p = successors[i] ?? null;
    const c = st.next ?? null;
    if (p) checked.add(p.id);
    if (!p && !c) return;
    if (p && c && keyString(c.k) === p.id) {
      if (c.h !== hashHex(p.hash)) add(p.key, "mismatch");
    } else if (p && (!c || compareKeys(p.key, c.k) < 0)) add(p.key, "missing");
    else add(c!.k, "extra");
  });
  const [postgres, cx] = await Promise.all([table.count(), convex.count(def.convexName)]);
  const keys = rows.map((r) => r.key);
  const invariants = hasInvariants(info) ? await keyInvariants(config, convex, info, info.aggregates.length > 0 ? keys.slice(0, AGGREGATE_SAMPLE) : keys) : null;
  return { candidates: [...found.values()], counts: { postgres, convex: cx }, checked: checked.size, invariants, stored: [], stats: { sampled: rows.length } };
}
