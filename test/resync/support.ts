// Shared pieces of the re-sync tests: a concurrent write load on avatar (and language), and waits on the
// re-sync progress recorded in Convex.
import pg from "pg";
import type { MirrorEnv } from "../support/mirror-env";
import type { ResyncProgress } from "../../src/mirror-functions/wire/protocol";
import { waitUntil } from "../support/wait";

/** Inserts, updates, primary-key moves and deletes on avatar ids ≥ 1000 (no mapping refers to them), and language updates. */
export function avatarLoad(url: string): { stop(): Promise<number> } {
  let stopped = false;
  let n = 0;
  const done = (async () => {
    const c = new pg.Client(url);
    await c.connect();
    let seed = 7;
    const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), 1000 + (seed % k));
    try {
      while (!stopped) {
        await c.query("BEGIN");
        await c.query("INSERT INTO avatar (id, link, name) VALUES ($1, 'ins', $2) ON CONFLICT (id) DO UPDATE SET link = 'upserted'", [rnd(900), `n${n}`]);
        await c.query("UPDATE avatar SET name = $2 WHERE id = $1", [rnd(900), `u${n}`]);
        await c.query("COMMIT");
        await c.query("DELETE FROM avatar WHERE id = $1", [rnd(900)]);
        await c.query("UPDATE avatar SET id = id + 2000 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM avatar WHERE id = $1 + 2000)", [rnd(900)]);
        await c.query("UPDATE language SET name = $1 WHERE id = 1 + $2 % 5", [`lang ${n}`, n]);
        n += 1;
      }
    } finally {
      await c.end();
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return n;
    },
  };
}

export async function resyncOf(env: MirrorEnv, table: string): Promise<ResyncProgress | undefined> {
  const s = await env.reader.state(env.config.slot).catch(() => undefined);
  return s?.resync?.find((r) => r.table === table);
}

export function waitResync(env: MirrorEnv, table: string, ok: (r: ResyncProgress) => boolean, timeoutMs = 120_000): Promise<ResyncProgress> {
  return waitUntil(
    `re-sync of ${table}`,
    async () => {
      const r = await resyncOf(env, table);
      return r && ok(r) ? r : undefined;
    },
    timeoutMs,
  );
}
