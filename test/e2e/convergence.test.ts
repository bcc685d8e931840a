import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { allTablesTransaction, mixedWorkload } from "./workload";

const SMALL = { languages: 10, courses: 8, stories: 300, users: 30 };

describe("convergence against real PostgreSQL + wal2json and the local Convex", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: SMALL });
  });
  afterAll(async () => env?.close());

  it("backfills the ten tables with derived fields computed in Convex, not copied", async () => {
    const mirror = await env.start();
    await env.waitConverged();
    // The seed writes stale aggregates into PostgreSQL on purpose; Convex must hold the real ones.
    const course = (await env.reader.getByKeys("course", [[1]]))[0]!;
    const expected = (await env.db.client.query("SELECT count(*) FILTER (WHERE public AND NOT deleted)::int AS n, coalesce(sum(todo_count),0)::int AS t FROM story WHERE course_id = 1")).rows[0];
    expect(course.count).toBe(expected.n);
    expect(course.todo_count).toBe(expected.t);
    expect(course.learning_language_name).not.toBe("stale");
    expect(mirror.position()).not.toBeNull();
  });

  it("converges after a mixed workload: PK changes, moves, cascades, truncate, NaN/Infinity, TOAST", async () => {
    await mixedWorkload(env.db.client);
    await env.waitConverged();
    const langs = await env.reader.getByKeys("language", [[1], [2], [3], [4]]);
    expect(langs.map((l) => l!.flag)).toEqual([NaN, Infinity, -Infinity, null]);
    const toasted = (await env.reader.getByKeys("story", [[2]]))[0]!;
    expect(typeof toasted.text).toBe("string");
    expect((toasted.text as string).length).toBeGreaterThan(10_000);
    expect(toasted.name).toBe("renamed after toast");
  });

  it("converges after one transaction touching all ten tables, and a 20,000-row transaction", async () => {
    await allTablesTransaction(env.db.client, "big");
    await env.db.client.query(
      `WITH s AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM story)
       INSERT INTO story_done (user_id, story_id) SELECT 1 + (g % 30), s.id FROM generate_series(1, 20000) g JOIN s ON s.rn = 1 + (g % 200)`,
    );
    await env.waitConverged(120_000);
    expect(await env.reader.countRows("story_done")).toBe(Number((await env.db.client.query("SELECT count(*) FROM story_done")).rows[0].count));
  });
});
