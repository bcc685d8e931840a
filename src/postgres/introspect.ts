// What `pg2convex init` reads from the catalog: the ordinary and partitioned tables of one schema with their
// columns, primary keys, foreign keys and types. Pure data; src/init/ decides what to declare.
// Invariants: leaf partitions are listed apart (a partition is mirrored through its parent, never declared);
// foreign keys are the declared ones only (conparentid = 0: PostgreSQL's per-partition clones are left out);
// every list is in a fixed order (names, attnum, key order), so the generated file is deterministic.
import type pg from "pg";

export interface DbColumn {
  readonly name: string;
  readonly notNull: boolean;
  readonly typeOid: number;
  readonly typmod: number;
  /** format_type(atttypid, atttypmod): "character varying(50)[]", "public.mood". */
  readonly display: string;
  /** pg_attribute.attgenerated: "" or "s" (stored). */
  readonly generated: string;
}

export interface DbForeignKey {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refSchema: string;
  readonly refTable: string;
  readonly refColumns: readonly string[];
}

export interface DbTable {
  readonly schema: string;
  readonly name: string;
  /** "r" ordinary, "p" partitioned. */
  readonly kind: string;
  readonly columns: readonly DbColumn[];
  /** Primary-key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly DbForeignKey[];
}

export interface DbType {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  /** pg_type.typtype: b base, d domain, e enum, r range, … */
  readonly kind: string;
  readonly category: string;
  readonly elem: number;
  readonly base: number;
  /** typtypmod of a domain: the typmod its base type is used with. */
  readonly baseTypmod: number;
  readonly labels: readonly string[] | null;
  /** As in the setup checks' TypeFacts (resolveType reads them). */
  readonly display: string;
  readonly arrayType: number;
  readonly baseDisplay: string | null;
}

export interface DbSchema {
  readonly schema: string;
  /** Ordinary and partitioned tables that are not partitions, by name. */
  readonly tables: readonly DbTable[];
  /** Leaf (and intermediate) partitions: name → the top partitioned table it belongs to. */
  readonly partitions: ReadonlyMap<string, string>;
  readonly types: ReadonlyMap<number, DbType>;
  /** format_type(oid, typmod) for every (oid, typmod) a column's type leads to, keyed "oid:typmod". */
  readonly formatted: ReadonlyMap<string, string>;
}

const names = (vec: string, rel: string) => `ARRAY(SELECT a.attname::text FROM unnest(${vec}) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.n ORDER BY k.o)`;

export async function introspectSchema(client: pg.ClientBase, schema: string): Promise<DbSchema> {
  const rels = await client.query(
    `SELECT c.oid, c.relname AS name, c.relkind::text AS kind, c.relispartition AS is_partition,
            (SELECT r.relname FROM pg_partition_ancestors(c.oid) a JOIN pg_class r ON r.oid = a.relid
              WHERE NOT r.relispartition LIMIT 1) AS root
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
    [schema],
  );
  const top = rels.rows.filter((r) => !r.is_partition);
  const oids: number[] = top.map((r) => r.oid);
  const cols = await client.query(
    `SELECT a.attrelid AS rel, a.attname AS name, a.attnotnull, a.atttypid AS type_oid, a.atttypmod AS typmod,
            format_type(a.atttypid, a.atttypmod) AS display, a.attgenerated::text AS generated
       FROM pg_attribute a WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const pks = await client.query(`SELECT i.indrelid AS rel, ${names("(i.indkey::int2[])[0:i.indnkeyatts - 1]", "i.indrelid")} AS columns FROM pg_index i WHERE i.indisprimary AND i.indrelid = ANY($1::oid[])`, [oids]);
  const fks = await client.query(
    `SELECT con.conrelid AS rel, con.conname AS name, fn.nspname AS ref_schema, fc.relname AS ref_table,
            ${names("con.conkey", "con.conrelid")} AS columns, ${names("con.confkey", "con.confrelid")} AS ref_columns
       FROM pg_constraint con JOIN pg_class fc ON fc.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
      WHERE con.contype = 'f' AND con.conparentid = 0 AND con.conrelid = ANY($1::oid[]) ORDER BY con.conname`,
    [oids],
  );
  const types = await loadTypes(client, [...new Set<number>(cols.rows.map((c) => c.type_oid))]);
  const tables: DbTable[] = top.map((r) => ({
    schema,
    name: r.name,
    kind: r.kind,
    columns: cols.rows.filter((c) => c.rel === r.oid).map((c) => ({ name: c.name, notNull: c.attnotnull, typeOid: c.type_oid, typmod: c.typmod, display: c.display, generated: c.generated })),
    primaryKey: pks.rows.find((p) => p.rel === r.oid)?.columns ?? [],
    foreignKeys: fks.rows.filter((f) => f.rel === r.oid).map((f) => ({ name: f.name, columns: f.columns, refSchema: f.ref_schema, refTable: f.ref_table, refColumns: f.ref_columns })),
  }));
  const partitions = new Map<string, string>(rels.rows.filter((r) => r.is_partition).map((r) => [r.name, r.root]));
  return { schema, tables, partitions, types, formatted: await formatTypes(client, tables, types) };
}

async function loadTypes(client: pg.ClientBase, oids: number[]): Promise<Map<number, DbType>> {
  const { rows } = await client.query(
    `WITH RECURSIVE ty(oid) AS (
       SELECT unnest($1::oid[])
       UNION SELECT x FROM ty JOIN pg_type t ON t.oid = ty.oid, unnest(ARRAY[t.typelem, t.typbasetype]) x WHERE x <> 0)
     SELECT t.oid, t.typname AS name, n.nspname AS schema, t.typtype::text AS kind, t.typcategory::text AS category,
            t.typelem AS elem, t.typbasetype AS base, t.typtypmod AS base_typmod, t.typarray AS array_type, format_type(t.oid, NULL) AS display,
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_display,
            CASE WHEN t.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS labels
       FROM ty JOIN pg_type t ON t.oid = ty.oid JOIN pg_namespace n ON n.oid = t.typnamespace`,
    [oids],
  );
  return new Map(
    rows.map((t) => [
      t.oid,
      { oid: t.oid, name: t.name, schema: t.schema, kind: t.kind, category: t.category, elem: t.elem, base: t.base, baseTypmod: t.base_typmod, labels: t.labels, arrayType: t.array_type, display: t.display, baseDisplay: t.base_display },
    ]),
  );
}

/** Every (type, typmod) a column leads to through domains and array elements, printed by format_type(). */
async function formatTypes(client: pg.ClientBase, tables: readonly DbTable[], types: ReadonlyMap<number, DbType>): Promise<Map<string, string>> {
  const pairs = new Map<string, [number, number]>();
  const visit = (oid: number, typmod: number) => {
    pairs.set(`${oid}:${typmod}`, [oid, typmod]);
    const t = types.get(oid);
    if (t?.kind === "d") visit(t.base, t.baseTypmod);
    else if (t && t.category === "A" && t.elem !== 0) visit(t.elem, typmod);
  };
  for (const t of tables) for (const c of t.columns) visit(c.typeOid, c.typmod);
  const list = [...pairs.values()];
  const { rows } = await client.query(`SELECT o, m, format_type(o, m) AS f FROM unnest($1::oid[], $2::int[]) AS u(o, m)`, [list.map((p) => p[0]), list.map((p) => p[1])]);
  return new Map(rows.map((r) => [`${r.o}:${r.m}`, r.f]));
}
