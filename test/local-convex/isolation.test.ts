// Transaction isolation as seen by clients: mutations are serialized and queries never observe a
// half-applied mutation.
import { afterAll, beforeAll, expect, it } from "vitest";
import { fn, startFixture, type Fixture } from "./support";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f.server.close();
});

it("serializes concurrent read-modify-write mutations: 20 concurrent bumps count to 20", async () => {
  // skipQueue: the client would otherwise send them one by one; here all 20 are in flight at once.
  const results = await Promise.all(Array.from({ length: 20 }, () => f.anon.mutation(fn.bump, { name: "c" }, { skipQueue: true })));
  expect(await f.anon.query(fn.getCounter, { name: "c" })).toBe(20);
  // Each mutation saw the previous one's commit: the returned values are exactly 1..20.
  expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
});

it("never lets a query observe a partially applied mutation", async () => {
  const N = 3_000;
  let done = false;
  const write = f.anon.mutation(fn.writeMany, { batch: "atomic", n: N }, { skipQueue: true }).finally(() => {
    done = true;
  });
  const seen: number[] = [];
  let issuedWhileWriting = 0;
  // Keep 4 readers going for as long as the mutation is in flight, then a few more after it.
  const reader = async () => {
    for (let after = 0; after < 3;) {
      if (!done) issuedWhileWriting++;
      seen.push(await f.anon.query(fn.countBatch, { batch: "atomic" }));
      if (done) after++;
    }
  };
  await Promise.all([write, reader(), reader(), reader(), reader()]);
  expect(issuedWhileWriting).toBeGreaterThanOrEqual(4);
  expect(seen.filter((n) => n !== 0 && n !== N)).toEqual([]);
  expect(seen).toContain(N);
});
