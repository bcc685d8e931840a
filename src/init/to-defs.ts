// The plan as the TableDefs its generated module evaluates to (derived fields aside: those are the user's),
// so init can run the graph validation before writing and tests can compare without evaluating the file.
import { defineTable } from "../definitions/define";
import type { TableSet } from "../definitions/types";
import type { InitPlan } from "./plan";
import { convexTableName } from "./names";

export function planTables(plan: InitPlan): TableSet {
  return plan.tables.map((t) => {
    const convexName = convexTableName(t.name);
    return defineTable({
      name: t.name,
      schema: t.schema,
      ...(convexName ? { convexName } : {}),
      primaryKey: [...t.primaryKey],
      columns: Object.fromEntries(
        t.columns.map((c) => [c.name, { type: c.type, nullable: c.nullable, ...(c.array ? { array: true } : {}), ...(c.enumValues ? { enumValues: c.enumValues } : {}), ...(c.pgType !== undefined ? { pgType: c.pgType } : {}) }]),
      ),
      exclude: [...t.exclude],
      references: Object.fromEntries(t.references.map((r) => [r.column, { table: r.table, ...(r.field ? { field: r.field } : {}), ordering: r.ordering }])),
    });
  });
}
