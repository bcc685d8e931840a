// Convex validators for mirrored documents. They must accept exactly what the decoder produces
// (see the type mapping in the brief / docs): a value that fails here fails the whole batch.
import { v, type GenericValidator } from "convex/values";
import type { ColumnDef, PgScalarType, TableDef } from "../definitions/types";
import { VERSION_FIELD } from "../definitions/types";
import type { MirrorConfig } from "./config";

/** Arrays longer than Convex's array limit arrive as their PostgreSQL text form in this wrapper. */
export const arrayTextWrapper = v.object({ pg2c_text: v.string() });

function scalar(type: PgScalarType, enumValues: readonly string[] | undefined): GenericValidator {
  switch (type) {
    case "int2":
    case "int4":
    case "float4":
    case "float8":
    case "timestamptz":
    case "timestamp":
      return v.float64();
    case "int8":
      return v.int64();
    case "numeric":
    case "text":
    case "date":
    case "uuid":
    case "pgtext":
      return v.string();
    case "bool":
      return v.boolean();
    case "json":
    case "jsonb":
      return v.any();
    case "bytea":
      return v.bytes();
    case "enum": {
      const labels = (enumValues ?? []).map((l) => v.literal(l));
      const [first, ...rest] = labels;
      if (!first) return v.string();
      return rest.length === 0 ? first : v.union(first, ...rest);
    }
  }
}

export function columnValidator(c: ColumnDef): GenericValidator {
  const base = scalar(c.type, c.enumValues);
  const isAny = base.kind === "any";
  const value = c.array ? v.union(v.array(isAny ? base : v.union(base, v.null())), arrayTextWrapper) : base;
  // v.any() already admits null; wrapping it again would only obscure the schema.
  return c.nullable && !(isAny && !c.array) ? v.union(value, v.null()) : value;
}

/** Field validators of one mirrored table: columns, version, reference ids and derived fields. */
export function documentFields(config: MirrorConfig, def: TableDef): Record<string, GenericValidator> {
  const info = config.table(def.name);
  const fields: Record<string, GenericValidator> = {};
  for (const c of def.columns) fields[c.name] = columnValidator(c);
  fields[VERSION_FIELD] = v.int64();
  for (const { ref, parent } of info.refs) fields[ref.field] = v.optional(v.id(parent.convexName));
  // A derived field that is also a column keeps that column's validator; otherwise it is free-form.
  for (const d of def.derived) if (!(d.field in fields)) fields[d.field] = v.optional(v.any());
  return fields;
}
