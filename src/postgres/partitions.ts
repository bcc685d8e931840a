// Partitioned tables: which relations store the rows of a mirrored partitioned table. wal2json reports each row
// under the leaf partition that stores it; the mirror files it under the root (the mirrored table).
import type pg from "pg";
import type { TableSet } from "../definitions/types";

export interface PartitionLeaf {
  readonly schema: string;
  readonly name: string;
  /** pg_class.relreplident of the leaf: replica identity is per partition, not inherited. */
  readonly replicaIdentity: string;
  /** The leaf has a primary key (needed for REPLICA IDENTITY DEFAULT). */
  readonly hasPrimaryKey: boolean;
}

const LEAF_COLUMNS = `n.nspname AS schema, c.relname AS name, c.relreplident::text AS replident,
  EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk`;

/** Every partition (leaves and sub-partitioned ones) of each mirrored partitioned table, keyed by the table's name. */
export async function loadPartitions(client: pg.ClientBase, tables: TableSet): Promise<Map<string, PartitionLeaf[]>> {
  const { rows } = await client.query(
    `SELECT d.name AS root, ${LEAF_COLUMNS}
       FROM unnest($1::text[], $2::text[]) AS d(schema, name)
       JOIN pg_namespace rn ON rn.nspname = d.schema
       JOIN pg_class r ON r.relnamespace = rn.oid AND r.relname = d.name AND r.relkind = 'p'
       CROSS JOIN LATERAL pg_partition_tree(r.oid) pt
       JOIN pg_class c ON c.oid = pt.relid AND c.oid <> r.oid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE pt.isleaf
      ORDER BY d.name, n.nspname, c.relname`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  );
  const out = new Map<string, PartitionLeaf[]>();
  for (const r of rows) {
    const list = out.get(r.root) ?? [];
    list.push({ schema: r.schema, name: r.name, replicaIdentity: r.replident, hasPrimaryKey: r.has_pk });
    out.set(r.root, list);
  }
  return out;
}

/** The root of the partition tree `schema.name` belongs to, or null (not a partition, or no such table now). */
export async function partitionRoot(client: pg.ClientBase, schema: string, name: string): Promise<{ schema: string; name: string } | null> {
  const { rows } = await client.query(
    `SELECT rn.nspname AS schema, r.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class r ON r.oid = pg_partition_root(c.oid) JOIN pg_namespace rn ON rn.oid = r.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND r.oid <> c.oid`,
    [schema, name],
  );
  return rows[0] ? { schema: rows[0].schema, name: rows[0].name } : null;
}
