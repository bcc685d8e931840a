// The declarative table definition: the single source of truth for the Convex schema and validators,
// the decoder, the dependency graph, the planner's costs and the parity checks.
// Invariant: nothing outside src/reference/ names a concrete table; the engine works from TableDef values.

/**
 * PostgreSQL column types the mirror understands (element type for arrays). `pgtext` is any other type (or any
 * type the user chose to mirror as text): the Convex value is PostgreSQL's own text output of the value.
 */
export type PgScalarType = "int2" | "int4" | "int8" | "float4" | "float8" | "numeric" | "text" | "bool" | "timestamptz" | "timestamp" | "date" | "uuid" | "jsonb" | "json" | "bytea" | "enum" | "pgtext";

export interface ColumnDef {
  /** PostgreSQL column name; also the Convex field name. */
  readonly name: string;
  readonly type: PgScalarType;
  /** `true` for a one-dimensional PostgreSQL array of `type`. */
  readonly array?: boolean;
  readonly nullable: boolean;
  /** For `enum`: the labels, in PostgreSQL's order. */
  readonly enumValues?: readonly string[];
  /**
   * For `pgtext`: the PostgreSQL type as format_type() prints it (`interval`, `character(5)`, `citext`,
   * `public.mood_range`); for an array column, its element type. Setup checks it against the database.
   */
  readonly pgType?: string;
}

/** A foreign key from this table's `column` to the single-column primary key of `table`. */
export interface ReferenceDef {
  readonly column: string;
  /** PostgreSQL name of the parent table. When it is not mirrored, the value stays a raw key. */
  readonly table: string;
  /** Convex field holding `v.id(parent)`; absent while the parent is not in Convex yet. */
  readonly field: string;
  /**
   * false: a non-ordering reference, declared to break a foreign-key cycle. The planner ignores it when ordering
   * tables (so the child may arrive before its parent); the `field` is filled when the parent row arrives.
   */
  readonly ordering: boolean;
}

/** Fields recomputed in Convex, never copied from the PostgreSQL column of the same name. */
export type DerivedDef =
  | {
      readonly kind: "count";
      readonly field: string;
      /** Child table whose rows are counted. */
      readonly from: string;
      /** Child column referencing this table's primary key. */
      readonly via: string;
      /** Only child rows whose columns equal these values count. */
      readonly where?: Readonly<Record<string, boolean | number | string | null>>;
    }
  | {
      readonly kind: "sum";
      readonly field: string;
      readonly from: string;
      readonly via: string;
      /** Child column summed; NULL counts as 0. */
      readonly column: string;
    }
  | {
      readonly kind: "lookup";
      readonly field: string;
      /** This table's reference column (must be declared in `references`). */
      readonly via: string;
      /** Parent column copied. */
      readonly column: string;
    };

export interface TableDef {
  /** PostgreSQL schema, `public` by default. */
  readonly schema: string;
  /** PostgreSQL table name. */
  readonly name: string;
  /** Convex table name. */
  readonly convexName: string;
  readonly primaryKey: readonly string[];
  readonly columns: readonly ColumnDef[];
  readonly references: readonly ReferenceDef[];
  readonly derived: readonly DerivedDef[];
  /** Columns that exist in PostgreSQL and are deliberately not mirrored: setup accepts them, decode and backfill skip them. */
  readonly excluded: readonly string[];
}

/** All mirrored tables, in any order; `graph.ts` orders them. */
export type TableSet = readonly TableDef[];

/** Fields every mirrored Convex document carries besides its columns. */
export const VERSION_FIELD = "pg2c_version";
