// A clean mirror under a live write load: parity must report no drift, and the rows that change while it
// runs must come out as in flight, not as drift.
import { afterAll, beforeAll, expect, it } from "vitest";
import type pg from "pg";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { waitForStreaming, waitUntil } from "../support/wait";
import { parity, table } from "./support";

const SMALL = { languages: 6, courses: 5, stories: 300, users: 20 };
let env: MirrorEnv;

beforeAll(async () => {
  env = await createMirrorEnv({ seed: SMALL });
  await env.start();
  await env.waitConverged();
  await waitForStreaming(env);
});
afterAll(async () => env?.close());

/** Transactions touching every kind of row (updates, inserts, deletes, derived-field inputs) until stopped. */
function writeLoad(c: pg.Client): { stop: () => Promise<number> } {
  let stopped = false;
  let n = 0;
  const loop = (async () => {
    while (!stopped) {
      n++;
      await c.query("BEGIN");
      await c.query("UPDATE language SET speaker = $1", [`speaker ${n}`]);
      await c.query("UPDATE story SET todo_count = todo_count + 1, name = $1, public = NOT coalesce(public, false) WHERE id = 1 + ($2::int % 300)", [`load ${n}`, n * 7]);
      await c.query("INSERT INTO story_done (user_id, story_id) VALUES (1, 1 + ($1::int % 300))", [n]);
      // Every other transaction only inserts: the row counts keep moving too.
      if (n % 2 === 0) await c.query("DELETE FROM story_done WHERE id = (SELECT min(id) FROM story_done)");
      await c.query("COMMIT");
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return n;
    },
  };
}

it("reports no drift while rows change under it, and calls the changing rows in flight", async () => {
  const load = writeLoad(env.db.client);
  try {
    // The load is flowing through the bridge before parity starts (every transaction sets every speaker).
    await waitUntil("the write load to reach Convex", async () => /^speaker \d+$/.test(String((await env.reader.getByKeys("language", [[1]]))[0]?.speaker)));
    for (const mode of ["full", "sample", "count"] as const) {
      const r = await parity(env, { mode, sample: 10_000 });
      const drift = r.tables.filter((t) => t.verdict === "drift").map((t) => ({ table: t.table, rows: t.rows.drift, inv: t.invariants.drift, counts: t.counts }));
      expect(drift, mode).toEqual([]);
      expect(r.verdict).toBe("clean");
      expect(r.lag.caughtUp).toBe(true);
      if (mode !== "count") {
        // Every language row changes in every transaction: the run sees them change after its snapshot.
        expect(table(r, "language").rows.inFlight, mode).toBeGreaterThan(0);
        expect(r.totals.inFlight).toBeGreaterThan(0);
      }
    }
  } finally {
    expect(await load.stop()).toBeGreaterThan(10);
  }
  await env.waitConverged();
  const quiet = await parity(env, { mode: "full" });
  expect(quiet.verdict).toBe("clean");
});
