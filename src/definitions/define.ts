// Small builders so table definitions read like DDL.
import type { ColumnDef, DerivedDef, PgScalarType, ReferenceDef, TableDef } from "./types";

type ColumnSpec = Omit<ColumnDef, "name">;

export interface ColumnBuilder extends ColumnSpec {
  notNull(): ColumnBuilder;
  asArray(): ColumnBuilder;
}

function builder(spec: ColumnSpec): ColumnBuilder {
  return {
    ...spec,
    notNull: () => builder({ ...spec, nullable: false }),
    asArray: () => builder({ ...spec, array: true }),
  };
}

const scalar = (type: PgScalarType) => () => builder({ type, nullable: true });

export const col = {
  int2: scalar("int2"),
  int4: scalar("int4"),
  int8: scalar("int8"),
  float4: scalar("float4"),
  float8: scalar("float8"),
  numeric: scalar("numeric"),
  text: scalar("text"),
  bool: scalar("bool"),
  timestamptz: scalar("timestamptz"),
  timestamp: scalar("timestamp"),
  date: scalar("date"),
  uuid: scalar("uuid"),
  jsonb: scalar("jsonb"),
  json: scalar("json"),
  bytea: scalar("bytea"),
  enum: (values: readonly string[]) => builder({ type: "enum", nullable: true, enumValues: values }),
  /** Any PostgreSQL type, mirrored as its own text output (a string); `pgType` as format_type() prints it. */
  pgText: (pgType: string) => builder({ type: "pgtext", nullable: true, pgType }),
};

export interface TableSpec {
  name: string;
  schema?: string;
  convexName?: string;
  primaryKey: string[];
  columns: Record<string, ColumnSpec>;
  /** column → parent table; the Convex id field defaults to `<column>_ref`. */
  references?: Record<string, string | { table: string; field?: string; ordering?: boolean }>;
  derived?: readonly DerivedDef[];
  /** PostgreSQL columns deliberately not mirrored (setup refuses any other column missing from `columns`). */
  exclude?: string[];
}

export function defineTable(spec: TableSpec): TableDef {
  const columns: ColumnDef[] = Object.entries(spec.columns).map(([name, c]) => ({
    name,
    type: c.type,
    nullable: c.nullable,
    ...(c.array ? { array: true } : {}),
    ...(c.enumValues ? { enumValues: c.enumValues } : {}),
    ...(c.pgType !== undefined ? { pgType: c.pgType } : {}),
  }));
  const references: ReferenceDef[] = Object.entries(spec.references ?? {}).map(([column, r]) =>
    typeof r === "string" ? { column, table: r, field: `${column}_ref`, ordering: true } : { column, table: r.table, field: r.field ?? `${column}_ref`, ordering: r.ordering ?? true },
  );
  return {
    schema: spec.schema ?? "public",
    name: spec.name,
    convexName: spec.convexName ?? spec.name,
    primaryKey: spec.primaryKey,
    columns,
    references,
    derived: spec.derived ?? [],
    excluded: spec.exclude ?? [],
  };
}
