// pg2convex's public API for an app's table definitions (see tables/reference.ts for a complete example):
//   import { defineTable, col, type TableSet } from "pg2convex";
// The Convex side (schema and functions for the app's convex/ folder) is "pg2convex/convex".
export { col, defineTable, type ColumnBuilder, type TableSpec } from "./definitions/define";
export type { ColumnDef, DerivedDef, PgScalarType, ReferenceDef, TableDef, TableSet } from "./definitions/types";
// The app's server-side read-flag helper (README § Running the migration).
export { createReadRouter, type ReadRouter, type ReadRouterOptions } from "./convex-client/read-router";
