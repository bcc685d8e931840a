// Deterministic, realistic data for the reference schema (demo, tests, bench). Same seed, same rows.
import type pg from "pg";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const referenceSchemaSql = (): string => readFileSync(fileURLToPath(new URL("../../sql/reference-schema.sql", import.meta.url)), "utf8");

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedSize {
  languages: number;
  courses: number;
  stories: number;
  users: number;
}

export const DEMO_SIZE: SeedSize = { languages: 30, courses: 40, stories: 2000, users: 200 };

const LANGS = [
  "English",
  "Spanish",
  "German",
  "French",
  "Italian",
  "Portuguese",
  "Dutch",
  "Swedish",
  "Polish",
  "Czech",
  "Hungarian",
  "Finnish",
  "Greek",
  "Turkish",
  "Japanese",
  "Korean",
  "Chinese",
  "Arabic",
  "Hebrew",
  "Hindi",
  "Esperanto",
  "Klingon",
  "Welsh",
  "Irish",
  "Catalan",
  "Basque",
  "Latin",
  "Ukrainian",
  "Romanian",
  "Danish",
];
const WORDS = ["the", "cat", "river", "market", "friend", "journey", "coffee", "train", "letter", "garden", "storm", "secret", "dinner", "museum", "birthday", "island", "library", "winter", "song", "bridge"];

async function insertRows(client: pg.ClientBase, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const chunk = Math.max(1, Math.floor(30000 / columns.length));
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    const values = part.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(", ")})`);
    await client.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}`, params);
  }
}

/** Creates the reference schema (idempotent DDL) and fills it. Returns row counts per table. */
export async function seedReference(client: pg.ClientBase, size: SeedSize = DEMO_SIZE, seed = 42): Promise<Record<string, number>> {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (n: number) => 1 + Math.floor(rnd() * n);
  const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  await client.query(referenceSchemaSql());

  const users = Array.from({ length: size.users }, (_, i) => [i + 1, `user${i + 1}`, `user${i + 1}@example.com`]);
  await insertRows(client, "users", ["id", "name", "email"], users);
  const languages = Array.from({ length: size.languages }, (_, i) => {
    const name = LANGS[i % LANGS.length]! + (i >= LANGS.length ? ` ${Math.floor(i / LANGS.length)}` : "");
    return [i + 1, name, `l${i + 1}`, i % 7 === 0 ? null : Math.round(rnd() * 1000) / 10, `flag_${i + 1}.svg`, null, `Hello in ${name}`, null, rnd() < 0.7, name === "Arabic" || name === "Hebrew"];
  });
  await insertRows(client, "language", ["id", "name", "short", "flag", "flag_file", "speaker", "default_text", "tts_replace", "public", "rtl"], languages);
  const images = Array.from({ length: 60 }, (_, i) => [`img${i + 1}`, `active_${i}.png`, `gilded_${i}.png`, `locked_${i}.png`, "ff00aa", "00ffaa"]);
  await insertRows(client, "image", ["id", "active", "gilded", "locked", "active_lip", "gilded_lip"], images);
  const avatars = Array.from({ length: 40 }, (_, i) => [i + 1, `https://example.com/avatar/${i + 1}.png`, rnd() < 0.8 ? `Avatar ${i + 1}` : null]);
  await insertRows(client, "avatar", ["id", "link", "name"], avatars);
  const speakers = Array.from({ length: size.languages * 2 }, (_, i) => [i + 1, (i % size.languages) + 1, `voice-${i + 1}`, rnd() < 0.5 ? "MALE" : "FEMALE", rnd() < 0.5 ? "NORMAL" : "NEURAL", pick(["azure", "polly", "google"])]);
  await insertRows(client, "speaker", ["id", "language_id", "speaker", "gender", "type", "service"], speakers);
  const localizations: unknown[][] = [];
  for (let l = 1; l <= size.languages; l++) for (let t = 0; t < 20; t++) localizations.push([localizations.length + 1, l, `tag_${t}`, sentence(4)]);
  await insertRows(client, "localization", ["id", "language_id", "tag", "text"], localizations);
  const mappings: unknown[][] = [];
  for (let a = 1; a <= 40; a++) for (let l = 1; l <= size.languages; l += 6) mappings.push([mappings.length + 1, a, l, `Name ${a}-${l}`, `voice-${l}`]);
  await insertRows(client, "avatar_mapping", ["id", "avatar_id", "language_id", "name", "speaker"], mappings);
  // Course aggregate columns are filled with stale values on purpose: the app maintains them by hand.
  const courses = Array.from({ length: size.courses }, (_, i) => {
    const learning = (i % size.languages) + 1;
    const from = ((i + 1) % size.languages) + 1;
    return [i + 1, `c${i + 1}`, learning, from, rnd() < 0.8, rnd() < 0.3, `Course ${i + 1}`, sentence(8), false, `{${pick(WORDS)},${pick(WORDS)}}`, 0, "stale", "stale", `{user${int(size.users)}}`, "{}", 0];
  });
  await insertRows(
    client,
    "course",
    ["id", "short", "learning_language", "from_language", "public", "official", "name", "about", "conlang", "tags", "count", "learning_language_name", "from_language_name", "contributors", "contributors_past", "todo_count"],
    courses,
  );
  const stories = Array.from({ length: size.stories }, (_, i) => [
    i + 1,
    `duo-${i + 1}`,
    `Story ${sentence(2)}`,
    int(50),
    int(10),
    int(size.users),
    int(size.users),
    new Date(Date.UTC(2023, 0, 1) + Math.floor(rnd() * 3e10)).toISOString(),
    rnd() < 0.3 ? null : new Date(Date.UTC(2024, 0, 1) + Math.floor(rnd() * 1e10)).toISOString(),
    sentence(40),
    rnd() < 0.6,
    `img${int(60)}`,
    int(size.courses),
    JSON.stringify({ lines: [sentence(3), sentence(5)], meta: { v: int(3) } }),
    pick(["draft", "feedback", "finished"]),
    rnd() < 0.05,
    Math.floor(rnd() * 4),
  ]);
  await insertRows(client, "story", ["id", "duo_id", "name", "set_id", "set_index", "author", "author_change", "date", "date_published", "text", "public", "image", "course_id", "json", "status", "deleted", "todo_count"], stories);
  const approvals: unknown[][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < size.stories; i++) {
    const story = int(size.stories);
    const user = int(size.users);
    if (seen.has(`${story}:${user}`)) continue;
    seen.add(`${story}:${user}`);
    approvals.push([approvals.length + 1, story, user]);
  }
  await insertRows(client, "story_approval", ["id", "story_id", "user_id"], approvals);
  const done = Array.from({ length: Math.round(size.stories * 1.5) }, (_, i) => [i + 1, int(size.users), int(size.stories)]);
  await insertRows(client, "story_done", ["id", "user_id", "story_id"], done);
  // Keep serial sequences ahead of the explicit ids, as the app's own inserts would.
  for (const t of ["users", "language", "avatar", "speaker", "localization", "avatar_mapping", "course", "story", "story_approval", "story_done"]) {
    await client.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM ${t}), false)`);
  }
  return {
    users: users.length,
    language: languages.length,
    image: images.length,
    avatar: avatars.length,
    speaker: speakers.length,
    localization: localizations.length,
    avatar_mapping: mappings.length,
    course: courses.length,
    story: stories.length,
    story_approval: approvals.length,
    story_done: done.length,
  };
}
