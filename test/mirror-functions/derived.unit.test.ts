// Reference ids and derived fields (course.count / todo_count / *_language_name) kept in step with
// the rows, whatever order parents and children arrive in.
import { describe, expect, it } from "vitest";
import { allDocs, apply, applyFully, course, del, language, newMirror, row, story, storyDone, trunc, up } from "./harness";

const courseOf = async (t: ReturnType<typeof newMirror>, id: number) => {
  const c = await row(t, "course", id);
  return c && { count: c.count, todo: c.todo_count, learning: c.learning_language_name, from: c.from_language_name };
};

describe("applyBatch: references", () => {
  it("fills a child's reference when the parent arrives later, unsets it when the parent goes", async () => {
    const t = newMirror();
    await apply(t, [storyDone(100, 10n, 1), storyDone(101, 10n, 2)]);
    expect((await row(t, "story_done", 100))?.story_id_ref).toBeUndefined();
    // Parent arrives in a later batch: the existing child is found through by_story_id.
    await apply(t, [story(1, 11n), storyDone(102, 11n, 1)]);
    const s = await row(t, "story", 1);
    expect((await row(t, "story_done", 100))?.story_id_ref).toBe(s?._id);
    expect((await row(t, "story_done", 102))?.story_id_ref).toBe(s?._id);
    expect((await row(t, "story_done", 101))?.story_id_ref).toBeUndefined();
    await apply(t, [del("story", 1, 20n)]);
    expect((await row(t, "story_done", 100))?.story_id_ref).toBeUndefined();
    expect((await row(t, "story_done", 100))?.story_id).toBe(1); // the raw key stays
  });

  it("links a parent inserted earlier in the same batch", async () => {
    const t = newMirror();
    await apply(t, [language(1, "French", 10n), course(5, 10n, { learning_language: 1 })]);
    const lang = await row(t, "language", 1);
    expect((await row(t, "course", 5))?.learning_language_ref).toBe(lang?._id);
  });
});

describe("applyBatch: derived fields", () => {
  it("ignores PostgreSQL's values and counts public, non-deleted stories", async () => {
    const t = newMirror();
    await apply(t, [course(1, 10n)]);
    expect(await courseOf(t, 1)).toMatchObject({ count: 0, todo: 0, learning: null });
    await apply(t, [story(1, 11n, { course_id: 1, todo_count: 3 }), story(2, 11n, { course_id: 1, public: false, todo_count: 4 })]);
    expect(await courseOf(t, 1)).toMatchObject({ count: 1, todo: 7 });
    await apply(t, [story(2, 12n, { course_id: 1, public: true, todo_count: 4 })]); // publish
    expect(await courseOf(t, 1)).toMatchObject({ count: 2, todo: 7 });
    await apply(t, [story(1, 13n, { course_id: 1, public: false, todo_count: 3 })]); // unpublish
    expect(await courseOf(t, 1)).toMatchObject({ count: 1, todo: 7 });
    await apply(t, [story(2, 14n, { course_id: 1, deleted: true, todo_count: 10 })]); // soft delete + todo change
    expect(await courseOf(t, 1)).toMatchObject({ count: 0, todo: 13 });
    await apply(t, [course(1, 15n, { name: "renamed", count: 42, todo_count: 42 })]); // an update keeps derived values
    expect(await courseOf(t, 1)).toMatchObject({ count: 0, todo: 13 });
    await apply(t, [del("story", 2, 16n)]);
    expect(await courseOf(t, 1)).toMatchObject({ count: 0, todo: 3 });
  });

  it("moves a story's contribution to its new course", async () => {
    const t = newMirror();
    await apply(t, [course(1, 10n), course(2, 10n), story(1, 10n, { course_id: 1, todo_count: 5 })]);
    await apply(t, [story(1, 11n, { course_id: 2, todo_count: 6 })]);
    expect(await courseOf(t, 1)).toMatchObject({ count: 0, todo: 0 });
    expect(await courseOf(t, 2)).toMatchObject({ count: 1, todo: 6 });
    await apply(t, [story(1, 12n, { course_id: null, todo_count: 6 })]);
    expect(await courseOf(t, 2)).toMatchObject({ count: 0, todo: 0 });
  });

  it("computes a course's aggregates from scratch when it arrives after its stories", async () => {
    const t = newMirror();
    await apply(t, [story(1, 10n, { course_id: 1, todo_count: 2 }), story(2, 10n, { course_id: 1, todo_count: 5 }), story(3, 10n, { course_id: 2 })]);
    await apply(t, [course(1, 11n)]);
    expect(await courseOf(t, 1)).toMatchObject({ count: 2, todo: 7 });
    await apply(t, [del("course", 1, 12n), story(2, 12n, { course_id: 1, todo_count: 1 })]);
    await apply(t, [course(1, 13n)]); // re-created: recomputed, not remembered
    expect(await courseOf(t, 1)).toMatchObject({ count: 2, todo: 3 });
  });

  it("copies language names and follows renames, deletes and re-inserts", async () => {
    const t = newMirror();
    await apply(t, [course(1, 10n, { learning_language: 1, from_language: 2 }), language(1, "French", 11n)]);
    expect(await courseOf(t, 1)).toMatchObject({ learning: "French", from: null });
    await apply(t, [language(2, "English", 12n), language(1, "Français", 12n)]);
    expect(await courseOf(t, 1)).toMatchObject({ learning: "Français", from: "English" });
    await apply(t, [course(1, 13n, { learning_language: 2, from_language: 2 })]);
    expect(await courseOf(t, 1)).toMatchObject({ learning: "English", from: "English" });
    await apply(t, [del("language", 2, 14n)]);
    expect(await courseOf(t, 1)).toMatchObject({ learning: null, from: null });
    expect((await row(t, "course", 1))?.learning_language_ref).toBeUndefined();
  });

  it("a partial course update keeps derived values and omitted columns", async () => {
    const t = newMirror();
    await apply(t, [course(1, 10n, { about: "long text" }), story(1, 10n, { course_id: 1, todo_count: 4 })]);
    await apply(t, [up("course", 1, 11n, { name: "x", count: 50, todo_count: 50 }, true)]);
    const c = await row(t, "course", 1);
    expect(c).toMatchObject({ name: "x", about: "long text", count: 1, todo_count: 4 });
  });

  it("truncating stories brings every course back to zero", async () => {
    const t = newMirror();
    const stories = Array.from({ length: 30 }, (_, i) => story(i + 1, 10n, { course_id: (i % 3) + 1, todo_count: 1 }));
    await apply(t, [course(1, 10n), course(2, 10n), course(3, 10n), ...stories, storyDone(1, 10n, 4)]);
    expect(await courseOf(t, 2)).toMatchObject({ count: 10, todo: 10 });
    await applyFully(t, [trunc(["story"], 20n), story(99, 20n, { course_id: 2, todo_count: 5 })]);
    for (const id of [1, 3]) expect(await courseOf(t, id)).toMatchObject({ count: 0, todo: 0 });
    expect(await courseOf(t, 2)).toMatchObject({ count: 1, todo: 5 });
    expect((await allDocs(t, "story")).map((s) => s.id)).toEqual([99]);
    expect((await row(t, "story_done", 1))?.story_id_ref).toBeUndefined();
  });
});
