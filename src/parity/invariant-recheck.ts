// Re-checking invariant violations. The stored values and the children's contributions come from
// different queries, so under writes they can be of different moments. A round reads the Convex checkpoint
// (every document then visible has a version ≤ it), re-checks the keys, then asks whether any table the
// invariants depend on changed after that checkpoint. No change and still violated: conclusive. Two
// conclusive rounds in a row make drift; violations that vanish, or never settle, are in flight.
import type { MirrorConfig, TableInfo } from "../mirror-functions/config";
import type { ConvexParity } from "./convex-side";
import { feedsInto, keyInvariants, type FoundViolation } from "./invariants";
import { keyString, type Key } from "../model/key";
import { sleep, type RecheckOptions } from "./recheck";

export async function recheckInvariants(config: MirrorConfig, convex: ConvexParity, info: TableInfo, found: FoundViolation[], opts: RecheckOptions): Promise<{ drift: FoundViolation[]; inFlight: number }> {
  const byKey = new Map<string, Key>();
  for (const v of found) byKey.set(keyString(v.key), v.key);
  const tables = new Set([info.def.convexName, ...feedsInto(config, info.def).map((f) => f.child.convexName), ...info.refs.map((r) => r.parent.convexName)]);
  let open = [...byKey.entries()].map(([id, key]) => ({ id, key, streak: 0, last: found.filter((v) => keyString(v.key) === id) }));
  const drift: FoundViolation[] = [];
  let inFlight = 0;
  for (let round = 0; round < opts.rounds && open.length > 0; round++) {
    await sleep(opts.delayMs);
    const state = await convex.state(opts.slot);
    const v0 = [state.commitLsn, state.snapshotLsn].reduce<bigint>((a, b) => (b !== null && b > a ? b : a), 0n);
    const pass = await keyInvariants(
      config,
      convex,
      info,
      open.map((o) => o.key),
    );
    const changed = (await Promise.all([...tables].map((t) => convex.changed(t, v0)))).some(Boolean);
    const next: typeof open = [];
    for (const o of open) {
      const now = pass.violations.filter((v) => keyString(v.key) === o.id);
      if (now.length === 0) {
        inFlight++;
        continue;
      }
      o.last = now;
      o.streak = changed ? 0 : o.streak + 1;
      if (o.streak >= Math.min(2, opts.rounds)) drift.push(...now);
      else next.push(o);
    }
    open = next;
  }
  inFlight += open.length;
  return { drift, inFlight };
}
