// What the database says about the declared tables, read in four catalog queries (relations, columns,
// keys and indexes, foreign keys) plus the types they use. Pure data: the checks interpret it.
import type pg from "pg";
import type { TableSet } from "../../definitions/types";

export interface ColumnFacts {
  readonly name: string;
  readonly notNull: boolean;
  readonly typeOid: number;
  /** format_type(), for messages: "character varying(50)[]". */
  readonly display: string;
}

export interface IndexFacts {
  readonly name: string;
  readonly primary: boolean;
  readonly unique: boolean;
  readonly replicaIdentity: boolean;
  /** Partial or expression index: cannot serve as a row key. */
  readonly partial: boolean;
  /** Key columns in index order (INCLUDE columns and expressions left out). */
  readonly columns: readonly string[];
}

export interface ForeignKeyFacts {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refSchema: string;
  readonly refTable: string;
  readonly refColumns: readonly string[];
}

export interface RelationFacts {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** pg_class.relkind: r table, p partitioned table, v view, … */
  readonly kind: string;
  /** pg_class.relreplident: d default, n nothing, f full, i index. */
  readonly replicaIdentity: string;
  readonly rowSecurity: boolean;
  readonly forceRowSecurity: boolean;
  /** The connecting role owns the table (or is a member of its owner). */
  readonly owned: boolean;
  readonly canSelect: boolean;
  readonly columns: ReadonlyMap<string, ColumnFacts>;
  readonly indexes: readonly IndexFacts[];
  readonly foreignKeys: readonly ForeignKeyFacts[];
}

export interface TypeFacts {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  /** pg_type.typtype: b base, d domain, e enum, … */
  readonly kind: string;
  /** pg_type.typcategory: "A" for arrays. */
  readonly category: string;
  readonly elem: number;
  readonly base: number;
  /** Enum labels in PostgreSQL's order. */
  readonly labels: readonly string[] | null;
  /** format_type(oid, NULL): the name a pgtext column may declare ("citext", "public.mood"). */
  readonly display: string;
  /** pg_type.typarray: the array type of this one (0: none). */
  readonly arrayType: number;
  /** For a domain: format_type of its base type with the domain's typmod ("character(5)"). */
  readonly baseDisplay: string | null;
}

export interface Catalog {
  /** Keyed by "schema.name". */
  readonly relations: ReadonlyMap<string, RelationFacts>;
  readonly types: ReadonlyMap<number, TypeFacts>;
}

// Column-name lists of int2vector/int2[] keys, in key order; attname cast to text so node-postgres parses the array.
const names = (vec: string, rel: string) => `ARRAY(SELECT a.attname::text FROM unnest(${vec}) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.n ORDER BY k.o)`;

export async function loadCatalog(client: pg.ClientBase, tables: TableSet): Promise<Catalog> {
  const rels = await client.query(
    `SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relreplident::text AS replident,
            c.relrowsecurity, c.relforcerowsecurity, pg_has_role(c.relowner, 'USAGE') AS owned,
            has_table_privilege(c.oid, 'SELECT') AS can_select
       FROM unnest($1::text[], $2::text[]) AS d(schema, name)
       JOIN pg_namespace n ON n.nspname = d.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = d.name`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  );
  const oids: number[] = rels.rows.map((r) => r.oid);
  // Sequential: one client runs one query at a time.
  const cols = await client.query(
    `SELECT a.attrelid AS rel, a.attname AS name, a.attnotnull, a.atttypid AS type_oid, format_type(a.atttypid, a.atttypmod) AS display
       FROM pg_attribute a WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oids],
  );
  const idx = await client.query(
    `SELECT i.indrelid AS rel, i.indexrelid::regclass::text AS name, i.indisprimary, i.indisunique, i.indisreplident,
            (i.indpred IS NOT NULL OR i.indexprs IS NOT NULL) AS partial,
            ${names("(i.indkey::int2[])[0:i.indnkeyatts - 1]", "i.indrelid")} AS columns
       FROM pg_index i WHERE i.indrelid = ANY($1::oid[])`,
    [oids],
  );
  const fks = await client.query(
    `SELECT con.conrelid AS rel, con.conname AS name, fn.nspname AS ref_schema, fc.relname AS ref_table,
            ${names("con.conkey", "con.conrelid")} AS columns, ${names("con.confkey", "con.confrelid")} AS ref_columns
       FROM pg_constraint con JOIN pg_class fc ON fc.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
      WHERE con.contype = 'f' AND con.conrelid = ANY($1::oid[]) ORDER BY con.conname`,
    [oids],
  );
  const relations = new Map<string, RelationFacts>();
  for (const r of rels.rows) {
    relations.set(`${r.schema}.${r.name}`, {
      oid: r.oid,
      schema: r.schema,
      name: r.name,
      kind: r.kind,
      replicaIdentity: r.replident,
      rowSecurity: r.relrowsecurity,
      forceRowSecurity: r.relforcerowsecurity,
      owned: r.owned,
      canSelect: r.can_select,
      columns: new Map(cols.rows.filter((c) => c.rel === r.oid).map((c) => [c.name, { name: c.name, notNull: c.attnotnull, typeOid: c.type_oid, display: c.display }])),
      indexes: idx.rows.filter((i) => i.rel === r.oid).map((i) => ({ name: i.name, primary: i.indisprimary, unique: i.indisunique, replicaIdentity: i.indisreplident, partial: i.partial, columns: i.columns })),
      foreignKeys: fks.rows.filter((f) => f.rel === r.oid).map((f) => ({ name: f.name, columns: f.columns, refSchema: f.ref_schema, refTable: f.ref_table, refColumns: f.ref_columns })),
    });
  }
  return { relations, types: await loadTypes(client, [...new Set<number>(cols.rows.map((c) => c.type_oid))]) };
}

/** The column types plus everything they lead to (array elements, domain bases), with enum labels. */
async function loadTypes(client: pg.ClientBase, oids: number[]): Promise<Map<number, TypeFacts>> {
  const { rows } = await client.query(
    `WITH RECURSIVE ty(oid) AS (
       SELECT unnest($1::oid[])
       UNION SELECT x FROM ty JOIN pg_type t ON t.oid = ty.oid, unnest(ARRAY[t.typelem, t.typbasetype]) x WHERE x <> 0)
     SELECT t.oid, t.typname AS name, n.nspname AS schema, t.typtype::text AS kind, t.typcategory::text AS category,
            t.typelem AS elem, t.typbasetype AS base, t.typarray AS array_type, format_type(t.oid, NULL) AS display,
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_display,
            CASE WHEN t.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS labels
       FROM ty JOIN pg_type t ON t.oid = ty.oid JOIN pg_namespace n ON n.oid = t.typnamespace`,
    [oids],
  );
  return new Map(rows.map((t) => [t.oid, { oid: t.oid, name: t.name, schema: t.schema, kind: t.kind, category: t.category, elem: t.elem, base: t.base, labels: t.labels, arrayType: t.array_type, display: t.display, baseDisplay: t.base_display }]));
}
