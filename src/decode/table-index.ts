// Lookup of mirrored tables by the (schema, table) wal2json names, built once per decoder.
import { Pg2ConvexError } from "../errors";
import type { ColumnDef, TableDef, TableSet } from "../definitions/types";

export interface MirroredTable {
  readonly def: TableDef;
  readonly columns: ReadonlyMap<string, ColumnDef>;
  /** Columns excluded on purpose (TableDef.excluded): ignored in every record. */
  readonly excluded: ReadonlySet<string>;
  /** Primary-key columns in TableDef.primaryKey order: the order of every Key. */
  readonly keyColumns: readonly ColumnDef[];
}

export type TableIndex = ReadonlyMap<string, MirroredTable>;

export const tableIndexKey = (schema: string, table: string) => `${schema}\u0000${table}`;

export function indexTables(tables: TableSet): TableIndex {
  const index = new Map<string, MirroredTable>();
  for (const def of tables) {
    const columns = new Map(def.columns.map((c) => [c.name, c]));
    const keyColumns = def.primaryKey.map((name) => {
      const c = columns.get(name);
      if (!c) throw new Pg2ConvexError("CONFIG_INVALID", `table ${def.schema}.${def.name}: primary-key column "${name}" is not among its columns`, { context: { table: def.name, column: name } });
      return c;
    });
    if (keyColumns.length === 0) throw new Pg2ConvexError("CONFIG_INVALID", `table ${def.schema}.${def.name} has no primary key`, { context: { table: def.name } });
    index.set(tableIndexKey(def.schema, def.name), { def, columns, keyColumns, excluded: new Set(def.excluded ?? []) });
  }
  return index;
}
