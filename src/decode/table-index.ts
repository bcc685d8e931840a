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
  /** Index in def.columns of each column name (row.ts decodes into arrays, not per-row maps). */
  readonly position: ReadonlyMap<string, number>;
  /** Per def.columns index: whether the column is part of the primary key. */
  readonly isKey: readonly boolean[];
  /** Per keyColumns index: the key column's index in def.columns. */
  readonly keyPositions: readonly number[];
  /** Per def.columns index: the last wal2json type name found the same as the start-up one (row.ts's drift check). */
  readonly sameType: ({ expected: string; type: string } | undefined)[];
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
    const position = new Map(def.columns.map((c, i) => [c.name, i]));
    index.set(tableIndexKey(def.schema, def.name), {
      def,
      columns,
      keyColumns,
      excluded: new Set(def.excluded ?? []),
      position,
      isKey: def.columns.map((c) => def.primaryKey.includes(c.name)),
      keyPositions: keyColumns.map((c) => position.get(c.name)!),
      sameType: def.columns.map(() => undefined),
    });
  }
  return index;
}
