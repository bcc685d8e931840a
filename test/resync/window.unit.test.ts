// Property test of the watermark window (src/resync/window.ts) with the mirror's real version rule: for any
// interleaving of stream transactions with a chunk's low watermark, snapshot and high watermark — including
// transactions committed before L but invisible to the snapshot, replays of stream transactions, stale
// documents in Convex before the re-sync, and the sweep — the final Convex state equals PostgreSQL's.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ChunkWindow } from "../../src/resync/window";
import { watermarkContent, WATERMARK_PREFIX } from "../../src/resync/watermark";
import { isNewer } from "../../src/mirror-functions/apply/version-rules";
import type { RowChange, SourceTransaction } from "../../src/model/changes";

const T = "t";
const KEYS = 6;
type Op = { k: number; del: boolean; move: number | null; val: number; truncate: boolean };
type Doc = { ver: bigint; val: number | null }; // val null: tombstone

/** Convex model: one document or tombstone per key, written under isNewer like applyBatch does. */
class Mirror {
  readonly docs = new Map<number, Doc>();
  truncatedAt: bigint | null = null;
  write(k: number, ver: bigint, val: number | null): void {
    const cur = this.docs.get(k);
    if (isNewer({ ver, current: cur?.ver ?? null, truncatedAt: this.truncatedAt, touchedInBatch: false })) this.docs.set(k, { ver, val });
  }
  apply(tx: SourceTransaction): void {
    for (const c of tx.changes) {
      if (c.kind === "truncate" && (this.truncatedAt === null || tx.commitLsn > this.truncatedAt)) {
        // Rows older than the truncate go; newer ones (a replayed truncate) stay.
        this.truncatedAt = tx.commitLsn;
        for (const [k, d] of this.docs) if (d.ver < tx.commitLsn) this.docs.delete(k);
      }
      if (c.kind === "delete") this.write(c.key[0] as number, tx.commitLsn, null);
      if (c.kind === "update" || c.kind === "insert") {
        if (c.kind === "update" && c.oldKey) this.write(c.oldKey[0] as number, tx.commitLsn, null);
        this.write(c.key[0] as number, tx.commitLsn, c.row.v as number);
      }
    }
  }
  live(): Map<number, number> {
    return new Map([...this.docs].filter(([, d]) => d.val !== null).map(([k, d]) => [k, d.val!]));
  }
}

/** Applies `op` to `pg`, returning the change wal2json would report (none for a no-op). */
function run(pg: Map<number, number>, op: Op, lsn: bigint): RowChange | null {
  if (op.truncate) {
    pg.clear();
    return { kind: "truncate", tables: [T], lsn };
  }
  const has = pg.has(op.k);
  if (op.del) {
    if (!has) return null;
    pg.delete(op.k);
    return { kind: "delete", table: T, key: [op.k], lsn };
  }
  if (op.move !== null && has && !pg.has(op.move) && op.move !== op.k) {
    pg.delete(op.k);
    pg.set(op.move, op.val);
    return { kind: "update", table: T, key: [op.move], oldKey: [op.k], row: { v: op.val }, lsn };
  }
  pg.set(op.k, op.val);
  return { kind: has ? "update" : "insert", table: T, key: [op.k], row: { v: op.val }, lsn };
}

const opArb = fc.record({ k: fc.nat(KEYS - 1), del: fc.boolean(), move: fc.option(fc.nat(KEYS - 1), { nil: null }), val: fc.nat(1000), truncate: fc.nat(12).map((n) => n === 0) });
const scenario = fc.record({
  initial: fc.array(fc.tuple(fc.nat(KEYS - 1), fc.nat(1000)), { maxLength: KEYS }),
  stale: fc.array(fc.tuple(fc.nat(KEYS + 2), fc.option(fc.nat(1000), { nil: null })), { maxLength: KEYS }),
  ops: fc.array(opArb, { maxLength: 30 }),
  // Positions in the op list (capped at its length): arming ≤ L ≤ snapshot ≤ H.
  cuts: fc.array(fc.nat(30), { minLength: 4, maxLength: 4 }).map((a) => [...a].sort((x, y) => x - y)),
  invisible: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
  replays: fc.array(fc.tuple(fc.nat(29), fc.nat(29)), { maxLength: 5 }),
});

describe("the re-sync window", () => {
  it("chunk rows minus the window's keys, at H, then the sweep, converge to PostgreSQL for any interleaving", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const pg = new Map<number, number>(s.initial);
        const mirror = new Mirror();
        // Convex before the re-sync: what an old backfill left there plus drift, all older than the stream below.
        for (const [k, v] of s.initial) mirror.write(k, 1n, v);
        for (const [k, v] of s.stale) mirror.docs.set(k, { ver: 2n, val: v });
        const n = s.ops.length;
        const [arm, low, snap, high] = s.cuts.map((c) => Math.min(c, n)) as [number, number, number, number];
        const window = new ChunkWindow({ resync: "r", chunk: 0 }, T);
        const stream: SourceTransaction[] = [];
        let lsn = 10n;
        const tx = (xid: number, changes: RowChange[], edge?: "low" | "high"): SourceTransaction => ({
          xid,
          commitLsn: (lsn += 10n),
          endLsn: lsn + 1n,
          commitTime: new Date(0),
          changes,
          ...(edge ? { messages: [{ prefix: WATERMARK_PREFIX, content: watermarkContent({ resync: "r", chunk: 0, edge }) }] } : {}),
        });
        // PostgreSQL's history; the keys each operation touches (a move touches both keys).
        const touches = s.ops.map((op) => (op.truncate ? [...Array(KEYS + 3).keys()] : [op.k, ...(op.move !== null ? [op.move] : [])]));
        // Transactions before L that the snapshot does not see yet (committed before L, visibility lagging),
        // before or after arming: only those whose keys nothing else touches before the snapshot (row locks).
        const invisible = new Set<number>();
        for (let i = 0; i < Math.min(low, snap); i++) {
          if (!s.invisible[i]) continue;
          const others = touches.slice(i + 1, snap).flat();
          if (!touches[i]!.some((k) => others.includes(k))) invisible.add(i + 1);
        }
        const snapshot = new Map(s.initial);
        for (let i = 0; i < snap; i++) if (!invisible.has(i + 1)) run(snapshot, s.ops[i]!, 0n);
        for (let i = 0; i <= n; i++) {
          if (i === low) stream.push(tx(100_000, [], "low"));
          if (i === high) stream.push(tx(100_001, [], "high"));
          if (i === n) break;
          const change = run(pg, s.ops[i]!, lsn + 10n);
          stream.push(tx(i + 1, change ? [change] : []));
        }
        // The stream, with some transactions delivered again later (replays after a reconnect or restart).
        // Watermarks are not replayed into this window: a restarted worker arms windows under a new tag.
        const delivered = [...stream];
        // A transaction comes again only after its first delivery (a reconnect resumes from an earlier position).
        for (const [from, at] of s.replays) {
          const t = stream[from];
          if (!t || t.messages) continue;
          const first = delivered.indexOf(t);
          delivered.splice(Math.min(first + 1 + at, delivered.length), 0, t);
        }
        let lowLsn: bigint | null = null;
        let retry = false;
        // The window is armed just before the op at `arm` (or L); the worker remembers earlier transactions.
        const armTx = stream.find((t) => t.xid === arm + 1 || t.xid === 100_000)!;
        const earlier = new Map<number, bigint>();
        let armed = false;
        for (const t of delivered) {
          mirror.apply(t);
          armed ||= t === armTx;
          if (!armed) {
            if (t.changes.length > 0) earlier.set(t.xid, t.commitLsn);
            continue;
          }
          const ev = window.observe(t);
          if (ev.kind === "high") {
            const keep = window.remaining(
              [...snapshot].map(([k, v]) => ({ k, v })),
              (r) => [r.k],
              invisible,
              earlier,
            );
            if (keep === null) retry = true;
            else lowLsn = window.lowLsn;
            for (const r of keep ?? []) mirror.write(r.k, ev.lsn, r.v);
          }
        }
        if (retry) {
          // The chunk is read again under new watermarks (here: once the load is over, nothing invisible).
          const again = new ChunkWindow({ resync: "r", chunk: 1 }, T);
          const pair = [tx(100_002, [], "low"), tx(100_003, [], "high")].map((t) => ({ ...t, messages: [{ prefix: WATERMARK_PREFIX, content: watermarkContent({ resync: "r", chunk: 1, edge: t.xid === 100_002 ? "low" : "high" }) }] }));
          for (const t of pair) {
            const ev = again.observe(t);
            if (ev.kind === "high")
              for (const r of again.remaining(
                [...pg].map(([k, v]) => ({ k, v })),
                (r) => [r.k],
                new Set(),
              )!)
                mirror.write(r.k, ev.lsn, r.v);
          }
          lowLsn = again.lowLsn;
        }
        // The sweep: after the barrier W (past every transaction), documents older than L0 are deleted at W.
        const w = (lsn += 10n);
        for (const [k, d] of mirror.docs) if (d.val !== null && lowLsn !== null && d.ver < lowLsn) mirror.write(k, w, null);
        expect(window.closed).toBe(true);
        expect(mirror.live()).toEqual(pg);
      }),
      { numRuns: 3000 },
    );
  });

  it("ignores watermarks of another request or chunk, and other tables' changes", () => {
    const w = new ChunkWindow({ resync: "a", chunk: 1 }, T);
    const msg = (resync: string, chunk: number, edge: "low" | "high") => ({ xid: 1, commitLsn: 5n, endLsn: 6n, commitTime: new Date(0), changes: [], messages: [{ prefix: WATERMARK_PREFIX, content: watermarkContent({ resync, chunk, edge }) }] });
    expect(w.observe(msg("b", 1, "low")).kind).toBe("none");
    expect(w.observe(msg("a", 0, "low")).kind).toBe("none");
    expect(w.observe(msg("a", 1, "high")).kind).toBe("none"); // a high before the low closes nothing
    expect(w.observe(msg("a", 1, "low")).kind).toBe("low");
    w.observe({ xid: 2, commitLsn: 7n, changes: [{ kind: "delete", table: "other", key: [1], lsn: 7n }] });
    expect(w.observe(msg("a", 1, "high"))).toEqual({ kind: "high", lsn: 5n });
    expect(w.remaining([{ k: 1 }], (r) => [r.k], new Set())).toEqual([{ k: 1 }]);
  });
});
