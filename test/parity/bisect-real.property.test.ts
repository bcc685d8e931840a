// Property, on the real sides: random avatar rows written to PostgreSQL and, through the mirror's own
// applyBatch mutation, to the local Convex, with random differences injected; `parity --mode full` (with
// random bisection parameters) must report exactly the injected keys, each with its kind.
import fc from "fast-check";
import { makeFunctionReference } from "convex/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { parity, table } from "./support";

let env: MirrorEnv;
beforeAll(async () => {
  env = await createMirrorEnv({ seed: { languages: 3, courses: 2, stories: 20, users: 5 } });
  const bridge = await env.start();
  await env.waitConverged();
  await bridge.stop(); // from here on, PostgreSQL and Convex are written separately, on purpose
});
afterAll(async () => env?.close());

let version = 1_000n; // far below any LSN of the run: these rows are not "in flight"
let batch = 0;
async function applyOps(ops: Op[]): Promise<void> {
  const fn = makeFunctionReference<"mutation">("mirror:applyBatch");
  for (let i = 0; i < ops.length; i += 500) {
    const args = { slot: env.config.slot, batchId: `prop-${++batch}`, ops: ops.slice(i, i + 500) };
    while (!((await env.convex.client.mutation(fn as any, args)) as { complete: boolean }).complete);
  }
}

const avatar = (id: number, name: string): Op => ({ o: "upsert", t: "avatar", k: [id], ver: ++version, d: { id, link: `https://example.com/${id}`, name } });

let base = 0;
let previous: number[] = [];

it("full mode reports exactly the injected keys", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fc.integer({ min: 0, max: 99_999 }), { maxLength: 400, size: "max" }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom("missing", "extra", "mismatch")), { maxLength: 12 }),
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 1, max: 40 }),
      async (offsets, edits, factor, leafRows) => {
        base += 100_000;
        const ids = offsets.map((o) => base + o);
        const pgRows = new Map(ids.map((id) => [id, `avatar ${id}`]));
        const cxRows = new Map(pgRows);
        const expected = new Map<number, string>();
        for (const [n, kind] of edits) {
          if (kind === "extra") {
            const id = base + 99_999 - (n % 1000) * 97;
            if (pgRows.has(id) || expected.has(id)) continue;
            cxRows.set(id, "only in Convex");
            expected.set(id, "extra");
          } else if (ids.length > 0) {
            const id = ids[n % ids.length]!;
            if (expected.has(id)) continue;
            if (kind === "missing") cxRows.delete(id);
            else cxRows.set(id, "changed in Convex");
            expected.set(id, kind);
          }
        }
        await env.db.client.query("DELETE FROM avatar WHERE id >= 100000");
        if (ids.length) await env.db.client.query("INSERT INTO avatar (id, link, name) SELECT i, 'https://example.com/' || i, 'avatar ' || i FROM unnest($1::int[]) i", [ids]);
        await applyOps([...previous.map((id): Op => ({ o: "delete", t: "avatar", k: [id], ver: ++version })), ...[...cxRows].map(([id, name]) => avatar(id, name))]);
        previous = [...cxRows.keys()];

        const r = await parity(env, { mode: "full", only: ["avatar"], bisect: { factor, leafRows }, recheck: { rounds: 1, delayMs: 0, waitMs: 0 }, maxWaitMs: 0, record: false });
        const found = new Map(table(r, "avatar").rows.drift.map((d) => [d.key[0] as number, d.kind]));
        expect(found).toEqual(expected);
        for (const d of table(r, "avatar").rows.drift.filter((x) => x.kind === "mismatch")) expect(d.columns).toEqual(["name"]);
        expect(table(r, "avatar").rows.inFlight).toBe(0);
      },
    ),
    { numRuns: 25 },
  );
});
