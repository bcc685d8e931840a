// The shared keyset SELECT against real PostgreSQL: pages follow the key's own order (not its text output's),
// composite keys page across boundaries without skipping or repeating rows, and COLLATE "C" gives code-point
// order for text keys whatever the column's collation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { connectPg, keyColumnTypes, keyset, RAW_TEXT, type Keyset } from "../../src/postgres";
import { col, defineTable } from "../../src/definitions/define";
import { createTestDatabase, type TestDatabase } from "../support/pg";

// "id" is both the key and the name of its text output column: ORDER BY "id" alone would sort '10' before '9'.
const numbered = defineTable({ name: "numbered", primaryKey: ["id"], columns: { id: col.int4().notNull(), label: col.text() } });
const pairs = defineTable({ name: "pairs", primaryKey: ["a", "b"], columns: { a: col.int4().notNull(), b: col.text().notNull(), v: col.int4() } });
const words = defineTable({ name: "words", primaryKey: ["w"], columns: { w: col.text().notNull() } });

/** Every row through pages of `size`, the way the backfill reads: first page, then pages after the cursor. */
async function readPaged(client: pg.Client, ks: Keyset, keyCount: number, size: number): Promise<Record<string, string | null>[]> {
  const out: Record<string, string | null>[] = [];
  let cursor: string[] | null = null;
  for (;;) {
    const res: pg.QueryResult = cursor
      ? await client.query({ text: ks.page([ks.compare(">", ks.params(1))], `$${keyCount + 1}`), values: [...cursor, size], types: RAW_TEXT })
      : await client.query({ text: ks.page([], "$1"), values: [size], types: RAW_TEXT });
    out.push(...(res.rows as Record<string, string | null>[]));
    if (res.rows.length < size) return out;
    cursor = ks.keyText(res.rows[res.rows.length - 1]);
  }
}

describe("keyset", () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase("keyset");
    await db.client.query(`
      CREATE TABLE numbered (id int PRIMARY KEY, label text);
      INSERT INTO numbered SELECT g, 'row ' || g FROM generate_series(1, 25) g;
      CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b));
      INSERT INTO pairs SELECT a, b, a * 10 FROM generate_series(1, 11) a, unnest(ARRAY['x', 'y', 'z']) b;
      CREATE TABLE words (w text COLLATE "und-x-icu" PRIMARY KEY);
      INSERT INTO words VALUES ('b'), ('B'), ('a'), ('A');`);
    client = await connectPg(db.url);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("pages by the key's values, not by its text, with columns named as asked", async () => {
    const rows = await readPaged(client, keyset(numbered, { columnNames: "name" }), 1, 4);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(rows[8]).toEqual({ id: "9", label: "row 9", pg2c_k0: "9" });
    const positional = (await client.query({ text: keyset(numbered).page([], null), types: RAW_TEXT })).rows;
    expect(positional[0]).toEqual({ pg2c_c0: "1", pg2c_c1: "row 1", pg2c_k0: "1" });
    expect(positional).toHaveLength(25);
  });

  it("pages a composite key across page boundaries without skipping or repeating a row", async () => {
    const ks = keyset(pairs, { keyTypes: await keyColumnTypes(client, pairs) });
    const rows = await readPaged(client, ks, 2, 5);
    const expected = Array.from({ length: 11 }, (_, i) => ["x", "y", "z"].map((b) => [String(i + 1), b])).flat();
    expect(rows.map((r) => ks.keyText(r))).toEqual(expected);
  });

  it("orders and compares text keys by code point under COLLATE C, by the column's collation otherwise", async () => {
    const icu = await readPaged(client, keyset(words), 1, 1);
    expect(icu.map((r) => r.pg2c_k0)).toEqual(["a", "A", "b", "B"]);
    const types = await keyColumnTypes(client, words);
    expect(types).toEqual(["text"]);
    const codePoint = await readPaged(client, keyset(words, { textKeyCollation: "C", keyTypes: types }), 1, 1);
    expect(codePoint.map((r) => r.pg2c_k0)).toEqual(["A", "B", "a", "b"]);
  });
});
