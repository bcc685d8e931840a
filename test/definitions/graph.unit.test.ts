import { describe, expect, it } from "vitest";
import { buildGraph } from "../../src/definitions/graph";
import { col, defineTable } from "../../src/definitions/define";
import { referenceTables } from "../../tables/reference";
import { Pg2ConvexError } from "../../src/errors";

describe("table graph", () => {
  it("orders every reference-schema table after its mirrored parents", () => {
    const g = buildGraph(referenceTables);
    expect(g.order).toHaveLength(10);
    for (const t of g.order) {
      for (const ref of g.mirroredParents(t)) {
        expect(g.rank.get(ref.table)!, `${ref.table} before ${t.name}`).toBeLessThan(g.rank.get(t.name)!);
      }
    }
    expect(
      g
        .childrenOf("story")
        .map((c) => c.child.name)
        .sort(),
    ).toEqual(["story_approval", "story_done"]);
  });

  it("is independent of declaration order", () => {
    const reversed = [...referenceTables].reverse();
    const g = buildGraph(reversed);
    const pos = (n: string) => g.rank.get(n)!;
    expect(pos("language")).toBeLessThan(pos("course"));
    expect(pos("course")).toBeLessThan(pos("story"));
    expect(pos("story")).toBeLessThan(pos("story_done"));
  });

  it("rejects a cycle naming its edges, not the tables depending on it, and suggests ordering: false", () => {
    const a = defineTable({ name: "a", primaryKey: ["id"], columns: { id: col.int4().notNull(), b: col.int4() }, references: { b: "b" } });
    const b = defineTable({ name: "b", primaryKey: ["id"], columns: { id: col.int4().notNull(), a: col.int4() }, references: { a: "a" } });
    try {
      buildGraph([a, b]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Pg2ConvexError);
      expect((e as Pg2ConvexError).code).toBe("GRAPH_CYCLE");
      expect((e as Error).message).toBe("the table references form a cycle: a → b via a.b, b → a via b.a");
      expect((e as Pg2ConvexError).fix).toBe('declare one reference of the cycle non-ordering, e.g. in the definition of b: references: { a: { table: "a", ordering: false } }');
    }
  });

  it("names only the cycle's edges when other tables depend on it", () => {
    const a = defineTable({ name: "a", primaryKey: ["id"], columns: { id: col.int4().notNull(), b: col.int4() }, references: { b: "b" } });
    const b = defineTable({ name: "b", primaryKey: ["id"], columns: { id: col.int4().notNull(), c: col.int4() }, references: { c: "c" } });
    const c = defineTable({ name: "c", primaryKey: ["id"], columns: { id: col.int4().notNull(), b: col.int4() }, references: { b: "b" } });
    const d = defineTable({ name: "d", primaryKey: ["id"], columns: { id: col.int4().notNull(), a: col.int4() }, references: { a: "a" } });
    expect(() => buildGraph([d, a, b, c])).toThrow("the table references form a cycle: b → c via b.c, c → b via c.b");
  });

  it("orders a cycle broken by a non-ordering reference, which stays a mirrored reference", () => {
    const store = defineTable({ name: "store", primaryKey: ["id"], columns: { id: col.int4().notNull(), manager: col.int4() }, references: { manager: { table: "staff", ordering: false } } });
    const staff = defineTable({ name: "staff", primaryKey: ["id"], columns: { id: col.int4().notNull(), store_id: col.int4() }, references: { store_id: "store" } });
    const g = buildGraph([staff, store]);
    expect(g.order.map((t) => t.name)).toEqual(["store", "staff"]);
    expect(store.references[0]).toEqual({ column: "manager", table: "staff", field: "manager_ref", ordering: false });
    expect(g.mirroredParents(store).map((r) => r.table)).toEqual(["staff"]);
    expect(g.childrenOf("staff").map((x) => x.child.name)).toEqual(["store"]);
  });

  it("refuses a column both declared and excluded", () => {
    const t = defineTable({ name: "t", primaryKey: ["id"], columns: { id: col.int4().notNull(), x: col.text() }, exclude: ["x"] });
    expect(() => buildGraph([t])).toThrow(/column x is both declared and excluded/);
  });

  it("allows a self-reference and references to unmirrored tables", () => {
    const t = defineTable({
      name: "node",
      primaryKey: ["id"],
      columns: { id: col.int4().notNull(), parent: col.int4(), owner: col.int4() },
      references: { parent: "node", owner: "users" },
    });
    expect(buildGraph([t]).order.map((x) => x.name)).toEqual(["node"]);
  });

  it("reports every definition problem together", () => {
    const bad = defineTable({
      name: "x",
      primaryKey: ["nope"],
      columns: { id: col.int4().notNull() },
      references: { missing: "x" },
      derived: [{ kind: "lookup", field: "f", via: "id", column: "c" }],
    });
    expect(() => buildGraph([bad])).toThrow(/nope[\s\S]*missing[\s\S]*lookup via id/);
  });
});
