// Workloads that exercise every kind of change the mirror must carry.
import type pg from "pg";
import { randomBytes } from "node:crypto";

export async function mixedWorkload(c: pg.ClientBase): Promise<void> {
  // Inserts of parents and children in one transaction.
  await c.query("BEGIN");
  const lang = (await c.query("INSERT INTO language (name, short, flag, public) VALUES ('Testish', 'tst', 1.5, true) RETURNING id")).rows[0].id;
  const course = (await c.query("INSERT INTO course (short, learning_language, from_language, public, name) VALUES ('tc', $1, 1, true, 'Test course') RETURNING id", [lang])).rows[0].id;
  for (let i = 0; i < 5; i++) {
    await c.query("INSERT INTO story (name, set_id, set_index, course_id, public, deleted, todo_count, json) VALUES ($1, 1, $2, $3, $4, false, $2, $5)", [`s${i}`, i, course, i % 2 === 0, JSON.stringify({ i, nested: { a: [1, 2, 3] } })]);
  }
  await c.query("COMMIT");
  // Updates, including a reference move and derived-field inputs.
  await c.query("UPDATE story SET public = NOT public WHERE course_id = $1 AND set_index < 2", [course]);
  await c.query("UPDATE story SET todo_count = todo_count + 10 WHERE course_id = $1", [course]);
  await c.query("UPDATE story SET course_id = 1 WHERE course_id = $1 AND set_index = 4", [course]);
  await c.query("UPDATE language SET name = 'Testish Renamed' WHERE id = $1", [lang]);
  // Primary-key changes on unreferenced rows.
  await c.query("INSERT INTO image (id, active, gilded, locked, active_lip, gilded_lip) VALUES ('pk-a', 'a', 'g', 'l', 'x', 'y')");
  await c.query("UPDATE image SET id = 'pk-b' WHERE id = 'pk-a'");
  await c.query("INSERT INTO avatar (id, link) VALUES (9001, 'l')");
  await c.query("UPDATE avatar SET id = 9002 WHERE id = 9001");
  // Float specials that wal2json 2.5 sends as null.
  await c.query("UPDATE language SET flag = 'NaN' WHERE id = 1");
  await c.query("UPDATE language SET flag = 'Infinity' WHERE id = 2");
  await c.query("UPDATE language SET flag = '-Infinity' WHERE id = 3");
  await c.query("UPDATE language SET flag = NULL WHERE id = 4");
  // jsonb Convex cannot store natively, and a TOASTed column left unchanged by a later update.
  await c.query(`UPDATE story SET json = '{"$ref": 1, "ok": true}' WHERE id = 1`);
  await c.query("UPDATE story SET text = $1 WHERE id = 2", [randomBytes(12_000).toString("base64")]);
  await c.query("UPDATE story SET name = 'renamed after toast' WHERE id = 2");
  // Cascading delete (approvals and done rows go with the story).
  await c.query("DELETE FROM story WHERE id IN (SELECT story_id FROM story_approval WHERE story_id > 2 ORDER BY story_id LIMIT 3)");
  // Truncate, then refill.
  await c.query("TRUNCATE story_done");
  await c.query("INSERT INTO story_done (user_id, story_id) SELECT 1, id FROM story ORDER BY id LIMIT 20");
}

/** One transaction that touches all ten mirrored tables. */
export async function allTablesTransaction(c: pg.ClientBase, tag: string): Promise<void> {
  await c.query("BEGIN");
  const lang = (await c.query("INSERT INTO language (name, short) VALUES ($1, $2) RETURNING id", [`L-${tag}`, `x${tag}`.slice(0, 10)])).rows[0].id;
  await c.query("INSERT INTO localization (language_id, tag, text) VALUES ($1, $2, 'hello')", [lang, `t-${tag}`]);
  await c.query("INSERT INTO image (id, active, gilded, locked, active_lip, gilded_lip) VALUES ($1, 'a', 'g', 'l', 'x', 'y')", [`img-${tag}`]);
  const avatar = (await c.query("INSERT INTO avatar (link, name) VALUES ('l', $1) RETURNING id", [tag])).rows[0].id;
  await c.query("INSERT INTO speaker (language_id, speaker, gender, type, service) VALUES ($1, $2, 'FEMALE', 'NEURAL', 'azure')", [lang, `sp-${tag}`]);
  await c.query("INSERT INTO avatar_mapping (avatar_id, language_id, name) VALUES ($1, $2, 'm')", [avatar, lang]);
  const course = (await c.query("INSERT INTO course (short, learning_language, from_language, public, name) VALUES ($1, $2, $2, true, 'all') RETURNING id", [`c-${tag}`.slice(0, 20), lang])).rows[0].id;
  const story = (await c.query("INSERT INTO story (name, set_id, set_index, course_id, image, public, deleted, todo_count) VALUES ('all', 1, 1, $1, $2, true, false, 3) RETURNING id", [course, `img-${tag}`])).rows[0].id;
  await c.query("INSERT INTO story_approval (story_id, user_id) VALUES ($1, 1)", [story]);
  await c.query("INSERT INTO story_done (story_id, user_id) VALUES ($1, 1)", [story]);
  await c.query("COMMIT");
}
