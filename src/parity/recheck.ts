// Re-checking differences before calling them drift. One round, for a set of keys:
//   L1 = insert LSN; read the keys in PostgreSQL (a fresh snapshot S, after L1); L2 = insert LSN (≥ every
//   commit S sees); wait until the mirror passed L2; read the keys' state in Convex.
// Then per key: equal → it was in flight. The mirror not past L2, or Convex holding a version/tombstone/
// truncate newer than L1 (it moved after our read) → inconclusive. Otherwise the difference is conclusive:
// Convex has applied everything S shows and nothing later, yet differs. A key is drift once conclusive in
// two consecutive rounds (one commit racing the two LSN reads can fake one). Keys still undecided after the
// last round are in flight if they changed after the run started (xmin not in the start snapshot, or a
// Convex version newer than the start LSN), else drift: the mirror did not catch up with a change older
// than the run (the report says whether it was behind).
import { hashHex } from "../mirror-functions/parity/row-hash";
import type { KeyState } from "../mirror-functions/wire/parity-protocol";
import type { TableDef } from "../definitions/types";
import type { Candidate } from "./bisect";
import type { ConvexParity } from "./convex-side";
import { pgTextOfKey } from "./keys";
import { insertLsn, waitForMirror, writtenAfter, type StartPoint } from "./lag";
import type { PgRow, PgTable } from "./pg-side";

export interface RecheckOptions {
  rounds: number;
  delayMs: number;
  waitMs: number;
  slot: string;
}

export interface RecheckResult {
  drift: Array<Candidate & { pg: PgRow | null; note?: string }>;
  inFlight: Candidate[];
  /** Keys found equal that only looked different because the two sides order them differently. */
  reordered: number;
}

type Status = "equal" | "inconclusive" | "conclusive";

export async function recheckRows(def: TableDef, live: PgTable, convex: ConvexParity, start: StartPoint, candidates: Candidate[], opts: RecheckOptions): Promise<RecheckResult> {
  const out: RecheckResult = { drift: [], inFlight: [], reordered: 0 };
  let open = candidates.map((c) => ({ c, streak: 0, pg: null as PgRow | null, cx: null as KeyState | null, truncatedAt: null as bigint | null, behind: false }));
  const text = (c: Candidate) => pgTextOfKey(def, c.key);
  for (let round = 0; round < opts.rounds && open.length > 0; round++) {
    await sleep(opts.delayMs);
    const l1 = await insertLsn(live.client);
    const rows = await live.byKeys(open.map((o) => text(o.c)).filter((t): t is string[] => t !== null));
    const l2 = await insertLsn(live.client);
    const progress = await waitForMirror(live.client, convex, opts.slot, l2, opts.waitMs);
    const { states, truncatedAt } = await convex.keys(
      def.convexName,
      open.map((o) => o.c.key),
    );
    const next: typeof open = [];
    open.forEach((o, i) => {
      o.pg = rows.get(o.c.id) ?? null;
      o.cx = states[i]!;
      o.truncatedAt = truncatedAt;
      o.behind = !progress.reached;
      const status = classify(o.pg, o.cx, truncatedAt, progress.reached, l1);
      if (status === "equal") {
        if (o.c.kind === "reordered") out.reordered++;
        else out.inFlight.push(o.c);
        return;
      }
      o.streak = status === "conclusive" ? o.streak + 1 : 0;
      if (o.streak >= Math.min(2, opts.rounds)) out.drift.push({ ...o.c, kind: kindOf(o.pg, o.cx), pg: o.pg });
      else next.push(o);
    });
    open = next;
  }
  for (const o of open) {
    const after = (o.pg?.xmin !== undefined && writtenAfter(start.snapshot, o.pg.xmin)) || newer(o.cx, o.truncatedAt, start.lsn);
    if (after) out.inFlight.push(o.c);
    else out.drift.push({ ...o.c, kind: o.cx ? kindOf(o.pg, o.cx) : o.c.kind, pg: o.pg, ...(o.behind ? { note: "the mirror had not caught up when re-checked; the row changed before the run started" } : {}) });
  }
  return out;
}

function classify(pg: PgRow | null, cx: KeyState, truncatedAt: bigint | null, reached: boolean, l1: bigint): Status {
  const pgHash = pg ? (pg.undecodable ? "undecodable" : hashHex(pg.hash)) : null;
  if (pgHash === cx.h && !cx.dup) return "equal";
  if (!reached || newer(cx, truncatedAt, l1)) return "inconclusive";
  return "conclusive";
}

const newer = (cx: KeyState | null, truncatedAt: bigint | null, lsn: bigint): boolean => (cx?.v ?? -1n) > lsn || (cx?.tomb ?? -1n) > lsn || (truncatedAt ?? -1n) > lsn;

function kindOf(pg: PgRow | null, cx: KeyState | null): Candidate["kind"] {
  if (cx?.dup) return "duplicate";
  if (!pg) return "extra";
  if (!cx || cx.h === null) return "missing";
  return "mismatch";
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
