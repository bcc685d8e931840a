// The definitions a deployment serves (issue 12 §8): canonical whatever the declaration order, and a difference is
// named by table and column.
import { describe, expect, it } from "vitest";
import { col, defineTable } from "../../src/definitions/define";
import { canonicalDefinitions, diffDefinitions } from "../../src/mirror-functions/definitions-hash";

const a = defineTable({ name: "a", primaryKey: ["id"], columns: { id: col.int4().notNull(), x: col.text() }, exclude: ["p", "q"] });
const b = defineTable({ name: "b", primaryKey: ["id"], columns: { id: col.int4().notNull(), a_id: col.int4() }, references: { a_id: "a" } });

describe("canonical definitions", () => {
  it("do not depend on table or excluded-column order", () => {
    const reordered = [b, { ...a, excluded: ["q", "p"] }];
    expect(canonicalDefinitions(reordered).hash).toBe(canonicalDefinitions([a, b]).hash);
    expect(diffDefinitions(canonicalDefinitions(reordered), canonicalDefinitions([a, b]))).toEqual([]);
  });

  it("name the column, the table or the reference that differs", () => {
    const deployed = canonicalDefinitions([a, b]);
    const retyped = defineTable({ name: "a", primaryKey: ["id"], columns: { id: col.int4().notNull(), x: col.int8() }, exclude: ["p", "q"] });
    expect(diffDefinitions(canonicalDefinitions([retyped, b]), deployed)).toEqual(['a.x differs: bridge ["int8",false,true,null,null], deployment ["text",false,true,null,null]']);
    const nonOrdering = defineTable({ name: "b", primaryKey: ["id"], columns: { id: col.int4().notNull(), a_id: col.int4() }, references: { a_id: { table: "a", ordering: false } } });
    expect(diffDefinitions(canonicalDefinitions([a, nonOrdering]), deployed)).toEqual(["table b differs (schema, Convex name, primary key, references or excluded columns)"]);
    const c = defineTable({ name: "c", primaryKey: ["id"], columns: { id: col.int4().notNull() } });
    expect(diffDefinitions(canonicalDefinitions([a, b, c]), deployed)).toEqual(["table c is in the bridge's definitions but not in the deployment's"]);
    // A bridge narrowed with --tables mirrors some of the deployment's tables.
    expect(diffDefinitions(canonicalDefinitions([a]), deployed)).toEqual([]);
  });
});
