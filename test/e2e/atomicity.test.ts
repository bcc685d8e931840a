// A reader of Convex never sees part of a source transaction that fits the limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";

describe("transaction atomicity as seen by a Convex reader", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 5, courses: 4, stories: 50, users: 10 } });
    await env.start();
    await env.waitConverged();
  });
  afterAll(async () => env?.close());

  it("shows each 40-row transaction entirely or not at all", async () => {
    const rounds = 15;
    const size = 40;
    const seen = new Set<number>();
    let stop = false;
    // One query reads all keys of the next transaction: a consistent snapshot of the mirror.
    const reader = (async () => {
      let round = 0;
      while (!stop && round < rounds) {
        const keys = Array.from({ length: size }, (_, i) => [100_000 + round * size + i]);
        const docs = await env.reader.getByKeys("story", keys);
        const present = docs.filter((d) => d !== null).length;
        seen.add(present);
        if (present === size) round += 1;
      }
    })();
    for (let r = 0; r < rounds; r++) {
      await env.db.client.query("BEGIN");
      for (let i = 0; i < size; i++) {
        await env.db.client.query("INSERT INTO story (id, name, set_id, set_index, course_id, public, deleted, todo_count) VALUES ($1, 'atomic', 1, $2, 1, true, false, 1)", [100_000 + r * size + i, i]);
      }
      await env.db.client.query("COMMIT");
      await new Promise((res) => setTimeout(res, 30));
    }
    await Promise.race([reader, new Promise((res) => setTimeout(res, 60_000))]);
    stop = true;
    await reader;
    expect(
      [...seen].every((n) => n === 0 || n === size),
      `partial counts seen: ${[...seen].join(",")}`,
    ).toBe(true);
    expect(seen.has(size)).toBe(true);
    await env.waitConverged();
  });
});
