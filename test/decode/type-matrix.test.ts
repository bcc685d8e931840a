// The type matrix (issue 12.3): every PostgreSQL base type from pg_type, as a column and as an array column,
// with a sample value and a NULL row, decoded through the stream (wal2json via a real slot) and the backfill
// (the keyset reader). Both paths must give identical Convex values, equal to the expected native value where
// the mapping is native and otherwise to PostgreSQL's own output text (format('%s', col) calls the type's
// output function; `col::text` would not: char(n) loses its padding, inet gains /32, bool reads "true").
// Which base types: pg_catalog's typtype 'b' types that are not themselves an array type. Left out, because no
// table column can hold them: base types without an array type (planner statistics and BRIN summaries, whose
// input functions refuse every value) and NOT_STORABLE (type-samples.ts). A base type with no sample fails.
import type { Value } from "convex/values";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ColumnDef } from "../../src/definitions/types";
import { sessionSetSql } from "../../src/postgres/session";
import { definitionFromCatalog, outputTexts, readBothPaths } from "./matrix-support";
import { createSourceDb, type SourceDb } from "./support";
import { NOT_STORABLE, TYPE_SAMPLES } from "./type-samples";

const bytes = (hex: string) => new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16))).buffer;

/** The Convex value of each sample whose type has a native mapping (docs/type-mapping.md). */
const NATIVE: Readonly<Record<string, Value>> = {
  bool: true,
  bpchar: "ab   ",
  bytea: bytes("deadbeef00"),
  date: "2026-11-21",
  float4: 1.1,
  float8: -1e-300,
  int2: -12,
  int4: 123456,
  int8: 9007199254740993n,
  json: { a: [1, 2.5, "x"], b: null },
  jsonb: { a: [true, null], b: 1 },
  numeric: "1.50",
  text: 'hello, "world" \\ {x}',
  timestamp: Date.UTC(2026, 10, 21, 12, 0, 0) + 123.456,
  timestamptz: Date.UTC(2026, 10, 21, 10, 0, 0) + 123.456,
  uuid: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
  varchar: "v ",
};

let src: SourceDb;
let baseTypes: { name: string; hasArray: boolean }[];

beforeAll(async () => {
  src = await createSourceDb("dec_matrix");
  await src.client.query(sessionSetSql("type-matrix")); // the settings every pg2convex session runs with
  baseTypes = (
    await src.sql(`SELECT t.typname AS name, t.typarray <> 0 AS has_array FROM pg_type t
      WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM pg_type a WHERE a.typarray = t.oid)
      ORDER BY 1`)
  ).map((r) => ({ name: r.name as string, hasArray: r.has_array as boolean }));
});
afterAll(async () => src?.drop());

/** Inserts one row of samples and one of NULLs, then checks both paths against each other and the oracle. */
async function roundTrip(table: string, columns: Array<{ name: string; type: string; sql: string; native?: Value }>) {
  await src.sql(`CREATE TABLE ${table} (id int PRIMARY KEY, ${columns.map((c) => `${c.name} ${c.type}`).join(", ")})`);
  const { def, checks } = await definitionFromCatalog(src, table, ["id"]);
  expect(checks.filter((r) => r.level !== "pass")).toEqual([]); // setup accepts the definition as generated
  await src.changes();
  await src.sql(`INSERT INTO ${table} VALUES (1, ${columns.map((c) => c.sql).join(", ")}), (2, ${columns.map(() => "NULL").join(", ")})`);
  const { stream, backfill } = await readBothPaths(src, def);
  const texts = await outputTexts(src, def, "id");
  expect(stream).toHaveLength(2);
  const byName = new Map(def.columns.map((c) => [c.name, c]));
  for (const c of columns) {
    const d = byName.get(c.name)!;
    const where = `${c.name} (${c.type} as ${d.type}${d.pgType ? `(${d.pgType})` : ""}${d.array ? "[]" : ""})`;
    expect(stream[0]![c.name], `stream = backfill: ${where}`).toEqual(backfill[0]![c.name]);
    expect(stream[0]![c.name], `expected value: ${where}`).toEqual(expected(d, c.native, texts[0]![c.name]!));
    expect([stream[1]![c.name], backfill[1]![c.name]], `NULL: ${where}`).toEqual([null, null]);
  }
  return def;
}

/** Native columns and arrays: the listed value; pgtext columns: the output text. */
function expected(d: ColumnDef, native: Value | undefined, text: string): Value {
  if (d.type !== "pgtext" || d.array) {
    if (native === undefined) throw new Error(`no expected native value for ${d.name} (${d.type})`);
    return native;
  }
  return text;
}

describe("the type matrix", () => {
  it("has a sample for every storable base type of pg_type, and no stale one", () => {
    const storable = baseTypes.filter((t) => t.hasArray && !NOT_STORABLE.has(t.name)).map((t) => t.name);
    expect(
      storable.filter((t) => !(t in TYPE_SAMPLES)),
      "base types without a sample in type-samples.ts",
    ).toEqual([]);
    expect(Object.keys(TYPE_SAMPLES).filter((t) => !storable.includes(t))).toEqual([]);
    expect(baseTypes.filter((t) => !t.hasArray).length).toBeGreaterThan(0); // the rule still excludes something real
  });

  it("round-trips every base type, with NULL, identically through stream and backfill", async () => {
    const columns = Object.entries(TYPE_SAMPLES).map(([t, s]) => ({ name: `c_${t}`, type: s.column, sql: s.sql, ...(t in NATIVE ? { native: NATIVE[t] } : {}) }));
    const def = await roundTrip("matrix", columns);
    const declared = Object.fromEntries(def.columns.map((c) => [c.name, c.type === "pgtext" ? `pgtext(${c.pgType})` : c.type]));
    expect(declared).toMatchObject({ c_bpchar: "text", c_inet: "pgtext(inet)", c_interval: "pgtext(interval)", c_bit: "pgtext(bit(3))", c_name: "pgtext(name)" });
  });

  it("round-trips an array of every base type, NULL elements included", async () => {
    // A pgtext array holds each element's own output text.
    const [elemTexts] = await src.sql(
      `SELECT ${Object.entries(TYPE_SAMPLES)
        .map(([t, s]) => `format('%s', ${s.sql}) AS e_${t}`)
        .join(", ")}`,
    );
    const columns = Object.entries(TYPE_SAMPLES).map(([t, s]) => ({ name: `a_${t}`, type: `${s.column}[]`, sql: `ARRAY[${s.sql}, NULL]`, native: [NATIVE[t] ?? elemTexts[`e_${t}`], null] }));
    const def = await roundTrip("arrays", columns);
    expect(def.columns.filter((c) => c.name !== "id" && !c.array)).toEqual([]);
  });
});

describe("extension types, domains and enums", () => {
  it("mirror extension types as text, and domains as their base type, on both paths", async () => {
    await src.sql("CREATE EXTENSION citext; CREATE EXTENSION hstore; CREATE EXTENSION ltree");
    await src.sql(`CREATE DOMAIN d_int AS int4 CHECK (VALUE > 0); CREATE DOMAIN d_bytea AS bytea; CREATE DOMAIN d_float AS float8;
      CREATE DOMAIN d_bool AS bool; CREATE DOMAIN d_char AS character(4); CREATE DOMAIN d_arr AS int4[]; CREATE DOMAIN d_text AS text;
      CREATE DOMAIN d_citext AS citext; CREATE DOMAIN d_d_int AS d_int; CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
    const def = await roundTrip("ext", [
      { name: "ci", type: "citext", sql: "'AbC'" },
      { name: "hs", type: "hstore", sql: `'a=>1, "b c"=>NULL'` },
      { name: "lt", type: "ltree", sql: "'Top.Science.Astronomy'" },
      { name: "cia", type: "citext[]", sql: `ARRAY['x y'::citext, NULL]`, native: ["x y", null] },
      { name: "di", type: "d_int", sql: "5", native: 5 },
      { name: "ddi", type: "d_d_int", sql: "6", native: 6 },
      { name: "db", type: "d_bytea", sql: "'\\x0102'", native: bytes("0102") },
      { name: "df", type: "d_float", sql: "'NaN'", native: NaN },
      { name: "dbo", type: "d_bool", sql: "false", native: false },
      { name: "dc", type: "d_char", sql: "'a'", native: "a   " },
      { name: "da", type: "d_arr", sql: "'{1,NULL}'", native: [1, null] },
      { name: "dt", type: "d_text", sql: "'t'", native: "t" },
      { name: "dci", type: "d_citext", sql: "'Q'" },
      { name: "m", type: "mood", sql: "'ok'", native: "ok" },
      { name: "ma", type: "mood[]", sql: "'{happy,NULL}'", native: ["happy", null] },
    ]);
    const declared = Object.fromEntries(def.columns.map((c) => [c.name, `${c.type}${c.pgType ? `(${c.pgType})` : ""}${c.array ? "[]" : ""}`]));
    expect(declared).toMatchObject({ ci: "pgtext(citext)", hs: "pgtext(hstore)", cia: "pgtext(citext)[]", di: "int4", db: "bytea", dc: "text", da: "int4[]", dci: "pgtext(d_citext)", m: "enum" });
  });

  it("lets any column be declared as text: by its type, its domain or the domain's base type, and refuses another", async () => {
    await src.sql("CREATE DOMAIN d_c5 AS character(5); CREATE TABLE astext (id int PRIMARY KEY, n int4, i interval, c d_c5, b bool, ia inet[])");
    const { def: generated } = await definitionFromCatalog(src, "astext", ["id"]);
    const as = (name: string, pgType: string, array = false): ColumnDef => ({ ...generated.columns.find((c) => c.name === name)!, type: "pgtext", pgType, array });
    const checksOf = async (columns: ColumnDef[]) => {
      const { loadCatalog } = await import("../../src/postgres/checks/catalog");
      const { columnChecks } = await import("../../src/postgres/checks/columns");
      const def = { ...generated, columns };
      const catalog = await loadCatalog(src.client, [def]);
      return columnChecks(def, catalog.relations.get("public.astext")!, catalog.types).filter((r) => r.level !== "pass" && r.name !== "column_undeclared"); // partial definitions on purpose: only the type checks matter here
    };
    const id = generated.columns[0]!;
    expect(await checksOf([id, as("n", "integer"), as("i", "INTERVAL"), as("c", "d_c5"), as("b", "boolean"), as("ia", "inet", true)])).toEqual([]);
    expect(await checksOf([id, as("c", "character(5)"), as("ia", "inet[]")])).toEqual([]);
    expect(await checksOf([id, as("n", "int4"), as("c", "char(5)"), as("b", "bool"), as("i", "pg_catalog.interval")])).toEqual([]); // SQL's aliases
    const wrong = await checksOf([id, as("i", "text"), as("c", "character(4)")]);
    expect(wrong.map((r) => r.fix)).toEqual([expect.stringContaining('col.pgText("interval")'), expect.stringContaining('col.pgText("d_c5")')]);
    // Both paths agree on the text of each: t/f for bool (boolout), the whole array literal for inet[] as text.
    const def = { ...generated, columns: [id, as("n", "integer"), as("i", "interval"), as("c", "d_c5"), as("b", "boolean"), as("ia", "inet[]")] };
    await src.changes();
    await src.sql("INSERT INTO astext VALUES (1, 7, '1 day', 'ab', true, '{10.0.0.1,NULL}')");
    const { stream, backfill } = await readBothPaths(src, def);
    expect(stream).toEqual(backfill);
    expect(stream[0]).toEqual({ id: 1, n: "7", i: "1 day", c: "ab   ", b: "t", ia: "{10.0.0.1,NULL}" });
  });
});
