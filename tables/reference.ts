// The reference schema: the ten app tables of the built-in example, parents first.
// Legacy auth tables (users, accounts, sessions, verification_token) are deliberately absent:
// they are never mirrored, and story/story_approval/story_done keep their user keys as raw values.
import { col, defineTable } from "../src/definitions/define";
import type { TableSet } from "../src/definitions/types";

export const image = defineTable({
  name: "image",
  primaryKey: ["id"],
  columns: {
    id: col.text().notNull(),
    active: col.text().notNull(),
    gilded: col.text().notNull(),
    locked: col.text().notNull(),
    active_lip: col.text().notNull(),
    gilded_lip: col.text().notNull(),
  },
});

export const language = defineTable({
  name: "language",
  primaryKey: ["id"],
  columns: {
    id: col.int4().notNull(),
    name: col.text().notNull(),
    short: col.text().notNull(),
    flag: col.float8(),
    flag_file: col.text(),
    speaker: col.text(),
    default_text: col.text(),
    tts_replace: col.text(),
    public: col.bool().notNull(),
    rtl: col.bool().notNull(),
  },
});

export const avatar = defineTable({
  name: "avatar",
  primaryKey: ["id"],
  columns: { id: col.int4().notNull(), link: col.text().notNull(), name: col.text() },
});

export const speaker = defineTable({
  name: "speaker",
  primaryKey: ["id"],
  columns: {
    id: col.int4().notNull(),
    language_id: col.int4().notNull(),
    speaker: col.text().notNull(),
    gender: col.enum(["MALE", "FEMALE"]).notNull(),
    type: col.enum(["NORMAL", "NEURAL"]).notNull(),
    service: col.text().notNull(),
  },
  references: { language_id: "language" },
});

export const localization = defineTable({
  name: "localization",
  primaryKey: ["id"],
  columns: {
    id: col.int4().notNull(),
    language_id: col.int4().notNull(),
    tag: col.text().notNull(),
    text: col.text().notNull(),
  },
  references: { language_id: "language" },
});

export const avatarMapping = defineTable({
  name: "avatar_mapping",
  primaryKey: ["id"],
  columns: {
    id: col.int4().notNull(),
    avatar_id: col.int4().notNull(),
    language_id: col.int4().notNull(),
    name: col.text(),
    speaker: col.text(),
  },
  references: { avatar_id: "avatar", language_id: "language" },
});

export const course = defineTable({
  name: "course",
  primaryKey: ["id"],
  columns: {
    id: col.int4().notNull(),
    short: col.text(),
    learning_language: col.int4(),
    from_language: col.int4(),
    public: col.bool().notNull(),
    official: col.bool().notNull(),
    name: col.text(),
    about: col.text(),
    conlang: col.bool(),
    tags: col.text().asArray(),
    count: col.int4(),
    learning_language_name: col.text(),
    from_language_name: col.text(),
    contributors: col.text().asArray().notNull(),
    contributors_past: col.text().asArray().notNull(),
    todo_count: col.int4().notNull(),
  },
  references: { learning_language: "language", from_language: "language" },
  derived: [
    { kind: "count", field: "count", from: "story", via: "course_id", where: { public: true, deleted: false } },
    { kind: "sum", field: "todo_count", from: "story", via: "course_id", column: "todo_count" },
    { kind: "lookup", field: "learning_language_name", via: "learning_language", column: "name" },
    { kind: "lookup", field: "from_language_name", via: "from_language", column: "name" },
  ],
});

export const story = defineTable({
  name: "story",
  primaryKey: ["id"],
  columns: {
    id: col.int4().notNull(),
    duo_id: col.text(),
    name: col.text(),
    set_id: col.int4().notNull(),
    set_index: col.int4().notNull(),
    author: col.int4(),
    author_change: col.int4(),
    date: col.timestamptz(),
    change_date: col.timestamptz(),
    date_published: col.timestamptz(),
    text: col.text(),
    public: col.bool(),
    image: col.text(),
    course_id: col.int4(),
    json: col.jsonb(),
    status: col.enum(["draft", "feedback", "finished"]),
    deleted: col.bool(),
    todo_count: col.int4().notNull(),
  },
  references: { image: "image", course_id: "course" },
});

export const storyApproval = defineTable({
  name: "story_approval",
  primaryKey: ["id"],
  columns: { id: col.int4().notNull(), story_id: col.int4(), user_id: col.int4(), date: col.timestamptz() },
  references: { story_id: "story" },
});

export const storyDone = defineTable({
  name: "story_done",
  primaryKey: ["id"],
  columns: { id: col.int4().notNull(), user_id: col.int4(), story_id: col.int4(), time: col.timestamptz() },
  references: { story_id: "story" },
});

export const referenceTables: TableSet = [language, localization, image, avatar, speaker, avatarMapping, course, story, storyApproval, storyDone];
