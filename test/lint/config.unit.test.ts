// Options: defaults, file + flag precedence, and every problem reported in one error.
import { describe, expect, it } from "vitest";
import { DEFAULT_CALLS, DEFAULT_DENY, engineConfig, InventoryOptionsSchema, LintOptionsSchema, parseOptions } from "../../src/lint/config";
import { LintConfigError } from "../../src/lint/errors";

describe("options", () => {
  it("defaults to src, the four legacy tables and search path public", () => {
    const o = parseOptions(LintOptionsSchema, {}, {}, "test");
    expect(o).toMatchObject({ paths: ["src"], deny: DEFAULT_DENY, searchPath: ["public"], strict: false, format: "auto" });
  });

  it("flags override the file; undefined flags do not", () => {
    const o = parseOptions(LintOptionsSchema, { deny: ["a"], strict: true }, { deny: ["b"], strict: undefined }, "test");
    expect(o.deny).toEqual(["b"]);
    expect(o.strict).toBe(true);
  });

  it("reports all problems at once with their keys", () => {
    let error: unknown;
    try {
      parseOptions(LintOptionsSchema, { deny: ["a.b.c"], colour: "red" }, { searchPath: ["x y"], format: "xml", updateBaseline: true }, "cfg.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LintConfigError);
    const msg = (error as LintConfigError).message;
    expect((error as LintConfigError).code).toBe("CONFIG_INVALID");
    for (const part of ["colour: not a config file key", "deny.0: a.b.c has too many parts", "searchPath.0", "format"]) expect(msg).toContain(part);
  });

  it("calls from flags and the file add to the default call targets, which include knex.raw", () => {
    expect(DEFAULT_CALLS).toContain("knex.raw");
    const calls = engineConfig(parseOptions(LintOptionsSchema, { calls: ["db.run"] }, { calls: ["runSql", ".query"] }, "test")).calls;
    expect(calls).toEqual([...DEFAULT_CALLS, "runSql"]);
    expect(engineConfig(parseOptions(InventoryOptionsSchema, { calls: ["db.run"] }, {}, "test")).calls).toEqual([...DEFAULT_CALLS, "db.run"]);
  });

  it("--update-baseline needs a baseline file", () => {
    expect(() => parseOptions(LintOptionsSchema, {}, { updateBaseline: true }, "test")).toThrow(/needs --baseline/);
  });

  it("output options are flags only, so one config file serves lint and inventory", () => {
    expect(() => parseOptions(InventoryOptionsSchema, { format: "sarif" }, {}, "test")).toThrow(/format: not a config file key/);
    expect(parseOptions(InventoryOptionsSchema, { deny: ["users"], baseline: "b.json" }, { tables: ["users"] }, "test").tables).toEqual(["users"]);
  });
});
