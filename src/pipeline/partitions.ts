// Leaf partition → mirrored partitioned table, for the decoder (DecoderOptions.leaves). wal2json names the leaf
// that stores a row; its change belongs to the root's Convex table. Invariants:
//  - loaded at start from the catalog (every leaf, sub-partitions included);
//  - a record naming a table the map does not know is looked up once (pg_partition_root) before it is taken for
//    an unmirrored table, so a partition created (or attached) while streaming is mirrored from its first row;
//  - a known leaf is never forgotten (a later DETACH does not re-file rows already seen); the "not a partition"
//    answers are forgotten on every refresh (the periodic catalog check), so an ATTACH PARTITION is seen.
// Limit: a partition created, written and detached or dropped before its first record is decoded cannot be
// resolved any more; its rows are then skipped like an unmirrored table's (the periodic check's row counts
// and parity show it).
import type pg from "pg";
import type { TableSet } from "../definitions/types";
import { tableIndexKey } from "../decode/table-index";
import { loadPartitions, partitionRoot } from "../postgres/partitions";
import type { Logger } from "../log";

export interface PartitionMap {
  /** tableIndexKey(leaf) → tableIndexKey(root); read by the decoder on every record. */
  readonly leaves: ReadonlyMap<string, string>;
  /** True when `schema.table` is (now known to be) a partition of a mirrored table. */
  learn(schema: string, table: string): Promise<boolean>;
  refresh(): Promise<void>;
  /** Whether any mirrored table is partitioned (then wal2json streams every table). */
  readonly partitioned: boolean;
}

export async function createPartitionMap(client: pg.ClientBase, tables: TableSet, logger: Logger): Promise<PartitionMap> {
  const leaves = new Map<string, string>();
  const notPartitions = new Set<string>();
  const roots = new Map(tables.map((t) => [tableIndexKey(t.schema, t.name), t]));
  const refresh = async () => {
    notPartitions.clear();
    for (const [root, list] of await loadPartitions(client, tables)) {
      const t = tables.find((d) => d.name === root)!;
      for (const leaf of list) leaves.set(tableIndexKey(leaf.schema, leaf.name), tableIndexKey(t.schema, t.name));
    }
  };
  await refresh();
  const { rows } = await client.query("SELECT count(*)::int AS n FROM unnest($1::text[], $2::text[]) d(s, n) JOIN pg_namespace ns ON ns.nspname = d.s JOIN pg_class c ON c.relnamespace = ns.oid AND c.relname = d.n AND c.relkind = 'p'", [
    tables.map((t) => t.schema),
    tables.map((t) => t.name),
  ]);
  return {
    leaves,
    partitioned: rows[0].n > 0,
    refresh,
    async learn(schema, table) {
      const k = tableIndexKey(schema, table);
      if (leaves.has(k)) return true;
      if (notPartitions.has(k)) return false;
      const root = await partitionRoot(client, schema, table);
      const rootKey = root ? tableIndexKey(root.schema, root.name) : null;
      if (rootKey === null || !roots.has(rootKey)) {
        notPartitions.add(k);
        return false;
      }
      leaves.set(k, rootKey);
      logger.info({ partition: `${schema}.${table}`, table: root!.name }, "new partition: its rows mirror into the partitioned table");
      return true;
    },
  };
}
