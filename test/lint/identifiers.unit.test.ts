// PostgreSQL name rules for options, and the deny-list / search-path resolution.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { engineConfig, LintOptionsSchema } from "../../src/lint/config";
import { TableNames } from "../../src/lint/deny";
import { parseIdentifier, parseQualifiedName, quoteIdentifier } from "../../src/lint/identifiers";

describe("identifiers", () => {
  it.each([
    ["users", { name: "users" }],
    ["Users", { name: "users" }],
    ['"Users"', { name: "Users" }],
    ["public.USERS", { schema: "public", name: "users" }],
    ['auth."Users"', { schema: "auth", name: "Users" }],
    ['"a.b"."c""d"', { schema: "a.b", name: 'c"d' }],
  ])("%s", (input, expected) => {
    expect(parseQualifiedName(input)).toEqual({ ok: true, value: expected });
  });

  it.each(["", "a.b.c", '"open', "1abc", "a b", '""', "a."])("rejects %j", (input) => {
    expect(parseQualifiedName(input).ok).toBe(false);
  });

  it("quoteIdentifier round-trips any identifier through the parser", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (id) => {
        const r = parseIdentifier(quoteIdentifier(id));
        return r.ok && r.value === id;
      }),
    );
  });
});

describe("table resolution", () => {
  const deny = (entries: string[], searchPath: string[]) =>
    new TableNames(
      entries.map((e) => (parseQualifiedName(e) as { ok: true; value: { schema?: string; name: string } }).value),
      searchPath,
    );

  it("resolves unqualified names to the first search-path schema", () => {
    expect(deny([], ["auth", "public"]).resolve({ name: "users" }).display).toBe("auth.users");
  });

  it("an unqualified entry covers the name in every search-path schema, and only there", () => {
    const d = deny(["users"], ["auth", "public"]);
    expect(d.covers({ name: "users" })).toBe(true);
    expect(d.covers({ schema: "public", name: "users" })).toBe(true);
    expect(d.covers({ schema: "auth", name: "users" })).toBe(true);
    expect(d.covers({ schema: "billing", name: "users" })).toBe(false);
  });

  it("a qualified entry covers exactly that table", () => {
    const d = deny(["public.users"], ["auth", "public"]);
    expect(d.covers({ name: "users" })).toBe(false);
    expect(d.covers({ schema: "public", name: "users" })).toBe(true);
  });
});

describe("search path option", () => {
  it('skips "$user" like PostgreSQL does when that schema is missing', () => {
    expect(engineConfig(LintOptionsSchema.parse({ searchPath: ['"$user"', "public"] })).searchPath).toEqual(["public"]);
    expect(() => engineConfig(LintOptionsSchema.parse({ searchPath: ['"$user"'] }))).toThrow(/other than "\$user"/);
  });
});
