// The pure part of `pg2convex init`: catalog facts → plan → generated text, and the --check difference.
import { describe, expect, it } from "vitest";
import { buildGraph } from "../../src/definitions/graph";
import { diffDefinitions } from "../../src/init/check";
import { breakCycles } from "../../src/init/cycles";
import { planInit, type InitOptions } from "../../src/init/plan";
import { renderDefinitions, renderDerived } from "../../src/init/render";
import { planTables } from "../../src/init/to-defs";
import type { DbColumn, DbSchema, DbTable, DbType } from "../../src/postgres/introspect";

const base = (oid: number, name: string, extra: Partial<DbType> = {}): DbType => ({
  oid,
  name,
  schema: "pg_catalog",
  kind: "b",
  category: "N",
  elem: 0,
  base: 0,
  baseTypmod: -1,
  labels: null,
  display: name,
  arrayType: 0,
  baseDisplay: null,
  ...extra,
});
const TYPES: DbType[] = [
  base(23, "int4", { arrayType: 1007 }),
  base(25, "text"),
  base(1043, "varchar"),
  base(2950, "uuid"),
  base(20, "int8"),
  base(1700, "numeric"),
  base(1042, "bpchar"),
  base(1186, "interval"),
  base(1007, "_int4", { category: "A", elem: 23 }),
  base(9001, "mood", { schema: "public", kind: "e", labels: ["sad", "ok"] }),
  base(9002, "posint", { schema: "public", kind: "d", base: 23 }),
  base(9003, "duration", { schema: "public", kind: "d", base: 1186 }),
];
const FORMAT: Record<number, string> = { 20: "bigint", 1700: "numeric", 1042: "character(5)", 23: "integer", 25: "text", 1043: "character varying", 2950: "uuid", 1186: "interval", 1007: "integer[]", 9001: "mood", 9002: "posint", 9003: "duration" };
const c = (name: string, typeOid: number, notNull = false, generated = ""): DbColumn => ({ name, typeOid, typmod: -1, notNull, display: FORMAT[typeOid]!, generated });
const t = (name: string, columns: DbColumn[], primaryKey: string[], foreignKeys: DbTable["foreignKeys"] = [], kind = "r"): DbTable => ({ schema: "public", name, kind, columns, primaryKey, foreignKeys });
const fk = (name: string, columns: string[], refTable: string, refColumns: string[]) => ({ name, columns, refSchema: "public", refTable, refColumns });

function schema(tables: DbTable[], partitions: Array<[string, string]> = []): DbSchema {
  return { schema: "public", tables, partitions: new Map(partitions), types: new Map(TYPES.map((x) => [x.oid, x])), formatted: new Map(TYPES.map((x) => [`${x.oid}:-1`, FORMAT[x.oid]!])) };
}
const opts = (o: Partial<InitOptions> = {}): InitOptions => ({ schema: "public", tables: [], pattern: [], excludeTables: [], excludeColumns: [], ...o });

const DB = schema(
  [
    t("a", [c("id", 23, true), c("b_id", 23), c("n", 9002, true), c("d", 9003), c("m", 9001), c("xs", 1007), c("s", 1043), c("g", 23, false, "s")], ["id"], [fk("a_b", ["b_id"], "b", ["id"])]),
    t("b", [c("id", 23, true), c("a_id", 23, true), c("legacy_id", 23), c("code", 25)], ["id"], [fk("b_a", ["a_id"], "a", ["id"]), fk("b_legacy", ["legacy_id"], "legacy", ["id"])]),
    t("legacy", [c("id", 23, true)], ["id"]),
    t("pair", [c("x", 23, true), c("y", 2950, true)], ["x", "y"]),
    t("pair_note", [c("id", 23, true), c("x", 23), c("y", 2950), c("code", 25)], ["id"], [fk("pn_pair", ["x", "y"], "pair", ["x", "y"]), fk("pn_code", ["code"], "b", ["code"])]),
    t("events", [c("id", 23, true), c("at", 23, true)], ["id", "at"], [], "p"),
    t("nokey", [c("v", 25)], []),
  ],
  [
    ["events_1", "events"],
    ["events_2", "events"],
  ],
);

describe("planInit", () => {
  const plan = planInit(DB, opts({ excludeTables: ["legacy"] }));
  const text = renderDefinitions(plan);

  it("maps covered types to their builders, domains by base type, and every other type to pgText", () => {
    expect(text).toContain("    id: col.int4().notNull(),");
    expect(text).toContain("    n: col.int4().notNull(), // domain public.posint over integer");
    expect(text).toContain('    d: col.pgText("interval"), // domain public.duration over interval; interval: PostgreSQL\'s text output (no native Convex type)');
    expect(text).toContain('    m: col.enum(["sad", "ok"]), // enum public.mood');
    expect(text).toContain("    xs: col.int4().asArray(),");
    expect(text).toContain("    s: col.text(),");
    expect(text).toContain("    g: col.int4(), // generated (STORED)");
  });

  it("declares single-column foreign keys to a declared table's key, leaves the others raw saying why", () => {
    expect(text).toContain("legacy_id: col.int4(), // → legacy(id): excluded (--exclude-tables), so it stays a raw key");
    expect(text).toContain("code: col.text(), // → b(code): not b's primary key (id), so it stays a raw key");
    expect(text).toContain("// foreign key pn_pair (x, y) → pair(x, y) is composite");
  });

  it("breaks the cycle with one non-ordering edge, preferring the nullable foreign key", () => {
    expect(text).toMatch(/b_id: \{ table: "b", ordering: false \}, \/\/ non-ordering: breaks the foreign-key cycle a → b → a/);
    expect(text).toContain('    a_id: "a",');
    expect(() => buildGraph(planTables(plan))).not.toThrow();
  });

  it("declares a partitioned parent once, never its partitions; skips a table without a key; lists exclusions", () => {
    expect(plan.tables.map((x) => x.name)).toEqual(["a", "b", "events", "pair", "pair_note"]);
    expect(text).toContain("its partitions (events_1, events_2) are never declared");
    expect(text).toContain("// Not mirrored on purpose (--exclude-tables): legacy.");
    expect(text).toContain("// Not mirrored: nokey: no primary key");
    expect(() => planInit(DB, opts({ tables: ["events_1"] }))).toThrow(/events_1 is a partition of events: declare events/);
  });

  it("selects by table list, by glob and excludes columns", () => {
    expect(planInit(DB, opts({ pattern: ["pair*"] })).tables.map((x) => x.name)).toEqual(["pair", "pair_note"]);
    const p = planInit(DB, opts({ tables: ["a"], excludeColumns: ["a.s"] }));
    expect(p.tables[0]!.columns.map((x) => x.name)).not.toContain("s");
    expect(renderDefinitions(p)).toContain('  exclude: ["s"],');
    expect(renderDefinitions(p)).toContain("b_id: col.int4(), // → b(id): not selected, so it stays a raw key");
  });

  it("renders deterministically, with a commented derived place per table in the hand-owned file", () => {
    expect(renderDefinitions(planInit(DB, opts({ excludeTables: ["legacy"] })))).toBe(text);
    expect(text).toContain("  derived: derived.a ?? [],");
    expect(renderDerived(plan)).toContain('  // pair_note: [{ kind: "count"');
  });
});

it("names the reference field differently when a column already holds <column>_ref", () => {
  const db = schema([t("p", [c("id", 23, true)], ["id"]), t("k", [c("id", 23, true), c("p_id", 23), c("p_id_ref", 25)], ["id"], [fk("k_p", ["p_id"], "p", ["id"])])]);
  const plan = planInit(db, opts());
  expect(renderDefinitions(plan)).toContain('    p_id: { table: "p", field: "p_id_ref_id" },');
  expect(() => buildGraph(planTables(plan))).not.toThrow();
  expect(diffDefinitions(planTables(plan), plan)).toEqual([]);
});

describe("planInit: foreign keys between different types", () => {
  // PostgreSQL accepts each of these foreign keys (int8 → int4 and back by the integer operators, int4 → numeric
  // and char(n) → text by an implicit cast); only the integer pairs can be matched exactly in Convex.
  const db = schema([
    t("p4", [c("id", 23, true)], ["id"]),
    t("p8", [c("id", 20, true)], ["id"]),
    t("pn", [c("id", 1700, true)], ["id"]),
    t("pt", [c("id", 25, true)], ["id"]),
    t(
      "kids",
      [c("id", 20, true), c("p4_id", 20), c("p8_id", 23), c("pn_id", 23), c("pt_id", 1042)],
      ["id"],
      [fk("k4", ["p4_id"], "p4", ["id"]), fk("k8", ["p8_id"], "p8", ["id"]), fk("kn", ["pn_id"], "pn", ["id"]), fk("kt", ["pt_id"], "pt", ["id"])],
    ),
  ]);
  const plan = planInit(db, opts());
  const text = renderDefinitions(plan);

  it("declares integer references of different widths, and leaves the pairs it cannot match exactly raw saying why", () => {
    expect(plan.tables.find((x) => x.name === "kids")?.references.map((r) => r.column)).toEqual(["p4_id", "p8_id"]);
    expect(text).toContain("pn_id: col.int4(), // → pn(id): its type (int4) and pn.id's (numeric) are not stored alike in Convex (the mirror could not match them exactly), so it stays a raw key");
    expect(text).toContain("pt_id: col.text(), // → pt(id): its type (character(5)) and pt.id's (text) are not stored alike in Convex");
    expect(() => buildGraph(planTables(plan))).not.toThrow();
  });
});

describe("diffDefinitions (init --check)", () => {
  const plan = planInit(DB, opts());
  it("finds nothing when the definitions are what init would write", () => {
    expect(diffDefinitions(planTables(plan), plan)).toEqual([]);
  });
  it("names added and dropped tables and columns, type, key, reference and enum label changes", () => {
    const changed = schema(
      [
        t("a", [c("id", 23, true), c("b_id", 23), c("n", 9002, true), c("d", 9003), c("m", 9001), c("xs", 1007), c("s", 25), c("new_col", 25)], ["id", "n"], []),
        ...DB.tables.filter((x) => x.name !== "a" && x.name !== "pair"),
        t("fresh", [c("id", 23, true)], ["id"]),
      ],
      [],
    );
    const labels = { ...changed, types: new Map([...changed.types, [9001, { ...changed.types.get(9001)!, labels: ["sad", "ok", "glad"] }]]) };
    const diff = diffDefinitions(planTables(plan), planInit(labels, opts()));
    expect(diff).toEqual(
      expect.arrayContaining([
        "table fresh: in PostgreSQL, not in the definitions",
        "table pair: in the definitions, not in PostgreSQL (dropped, renamed, excluded or without a primary key)",
        "a: primary key (id) in the definitions, (id, n) in PostgreSQL",
        "a.new_col: column added in PostgreSQL (col.text())",
        "a.g: column in the definitions, not in PostgreSQL (dropped or renamed)",
        'a.m: enum labels added "glad" (PostgreSQL: ["sad","ok","glad"])',
        "a.b_id: declared reference to b, no such foreign key init would declare",
      ]),
    );
  });
});

describe("breakCycles", () => {
  it("marks one edge per cycle, so what is left orders; self-references never count", () => {
    const e = (from: string, column: string, to: string, nullable = false) => ({ from, column, to, nullable });
    const broken = breakCycles([e("a", "b_id", "b"), e("b", "c_id", "c"), e("c", "a_id", "a", true), e("x", "y_id", "y"), e("y", "x_id", "x"), e("s", "s_id", "s")]);
    expect(broken.map((b) => `${b.edge.from}.${b.edge.column}`)).toEqual(["c.a_id", "x.y_id"]);
    expect(broken[0]!.cycle).toEqual(["c", "a", "b", "c"]);
  });
});
