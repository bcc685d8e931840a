// What the drill observes: the app-facing answer for one probe caller, asked the two ways an app asks it —
// the public readFrom query (no admin key, as the app's own Convex functions or clients see it) and the
// createReadRouter helper (as the app's server code sees it, with its default refresh). Both must reach the
// expected source within the bound, measured from the moment the flag mutation returned.
import { publicReadFrom } from "../../convex-client/read-from";
import { createReadRouter, type ReadRouter } from "../../convex-client/read-router";
import { bucketOf, type Source } from "../../mirror-functions/control/rules";

export interface Observation {
  expected: Source;
  /** ms until readFrom / the helper answered `expected`; null when they had not when the wait ended. */
  readFromMs: number | null;
  helperMs: number | null;
  /** Both answered `expected` within the bound. */
  ok: boolean;
}

export interface Watcher {
  probe: string;
  /** Waits until both answers are `expected` (or the bound passes), starting the clock at `since`. */
  observe(expected: Source, since: number, boundMs: number): Promise<Observation>;
  close(): void;
}

/** A caller whose bucket lies in [from, to): its answer flips when the share moves between those. */
export function probeCaller(table: string, from: number, to: number): string {
  for (let i = 0; i < 100_000; i++) {
    const c = `pg2convex-drill-probe-${i}`;
    const b = bucketOf(table, c);
    if (b >= from && b < to) return c;
  }
  throw new Error(`no probe caller in buckets ${from}–${to}`);
}

export async function startWatcher(opts: { url: string; module: string; table: string; probe: string }): Promise<Watcher> {
  const readFrom = publicReadFrom(opts.url, opts.module);
  const router: ReadRouter = createReadRouter({ url: opts.url, tables: [opts.table], module: opts.module });
  await router.ready();
  return {
    probe: opts.probe,
    async observe(expected, since, boundMs) {
      let readFromMs: number | null = null;
      let helperMs: number | null = null;
      for (;;) {
        const answer = await readFrom(opts.table, opts.probe).catch(() => null);
        const t = Date.now() - since;
        if (readFromMs === null && answer?.source === expected) readFromMs = t;
        if (helperMs === null && router.source(opts.table, opts.probe) === expected) helperMs = Date.now() - since;
        const done = readFromMs !== null && helperMs !== null;
        if (done || Date.now() - since > boundMs) {
          const ok = done && readFromMs! <= boundMs && helperMs! <= boundMs;
          return { expected, readFromMs, helperMs, ok };
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => router.close(),
  };
}
