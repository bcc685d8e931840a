// Issue 7 §2: wal2json omits an unchanged TOASTed column from an UPDATE, also when the primary key changes.
// The moved row must keep that column, wherever its insert was applied: by the backfill, by an earlier
// batch, or in the same transaction as the move. Real PostgreSQL + wal2json, the local Convex over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";

/** ~12.8 kB of incompressible text: stored out of line (TOASTed), so wal2json leaves it out of UPDATEs. */
const LONG_TEXT = "(SELECT string_agg(md5(g::text || random()::text), '') FROM generate_series(1, 400) g)";
const insertStory = (id: number) =>
  `INSERT INTO story (id, name, set_id, set_index, text, todo_count, course_id, public, deleted)
   VALUES (${id}, 'toast pk', 1, 1, ${LONG_TEXT}, 2, 6, true, false)`;

describe("a primary-key change on a row with an unchanged TOASTed text", () => {
  let env: MirrorEnv;
  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 6, courses: 8, stories: 60, users: 10 } });
    // Inserted before the mirror starts: this row reaches Convex through the backfill.
    await env.db.client.query(insertStory(900001));
    await env.start();
    await env.waitConverged();
  });
  afterAll(async () => env?.close());

  async function expectMoved(to: number, name: string) {
    await env.waitConverged();
    const [pg] = (await env.db.client.query("SELECT name, text FROM story WHERE id = $1", [to])).rows;
    const [doc] = await env.reader.getByKeys("story", [[to]]);
    expect(doc, `story ${to} in Convex`).toBeTruthy();
    expect(doc!.name).toBe(name);
    expect(doc!.text).toBe(pg.text);
    expect((doc!.text as string).length).toBeGreaterThan(10_000);
    const [course] = await env.reader.getByKeys("course", [[6]]);
    const [expected] = (await env.db.client.query("SELECT count(*) FILTER (WHERE public AND NOT deleted)::int AS n, coalesce(sum(todo_count), 0)::int AS t FROM story WHERE course_id = 6")).rows;
    expect([course!.count, course!.todo_count]).toEqual([expected.n, expected.t]);
    const rejects = (await env.convex.client.query("mirror:listRejects" as any, {})) as { page: unknown[] };
    expect(rejects.page).toEqual([]);
  }

  it("keeps the text of a backfilled row", async () => {
    await env.db.client.query("UPDATE story SET id = 900002, name = 'toast pk moved' WHERE id = 900001");
    await env.db.client.query("UPDATE story SET name = 'toast plain' WHERE id = 900002");
    await expectMoved(900002, "toast plain");
  });

  it("keeps the text when the insert was applied in an earlier batch (the issue's reproduction)", async () => {
    await env.db.client.query(insertStory(900011));
    await env.waitConverged();
    await env.db.client.query("UPDATE story SET id = 900012, name = 'toast pk moved' WHERE id = 900011");
    await env.db.client.query("UPDATE story SET name = 'toast plain' WHERE id = 900012");
    await expectMoved(900012, "toast plain");
  });

  it("keeps the text when the insert and the move are one transaction", async () => {
    await env.db.client.query("BEGIN");
    await env.db.client.query(insertStory(900021));
    await env.db.client.query("UPDATE story SET id = 900022, name = 'toast pk moved' WHERE id = 900021");
    await env.db.client.query("COMMIT");
    await env.db.client.query("UPDATE story SET name = 'toast plain' WHERE id = 900022");
    await expectMoved(900022, "toast plain");
  });

  it("keeps the text through two moves and a swap of keys in one transaction", async () => {
    await env.db.client.query(insertStory(900031));
    await env.db.client.query(insertStory(900032));
    await env.waitConverged();
    await env.db.client.query("BEGIN");
    await env.db.client.query("UPDATE story SET id = 900039, name = 'swap a' WHERE id = 900031");
    await env.db.client.query("UPDATE story SET id = 900031, name = 'swap b' WHERE id = 900032");
    await env.db.client.query("UPDATE story SET id = 900032 WHERE id = 900039");
    await env.db.client.query("UPDATE story SET id = 900033, name = 'moved twice' WHERE id = 900031");
    await env.db.client.query("COMMIT");
    await expectMoved(900033, "moved twice");
    await expectMoved(900032, "swap a");
  });
});
