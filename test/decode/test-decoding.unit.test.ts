// The test_decoding line parser (pure; real server output is covered by special-values.test.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTestDecodingChange } from "../../src/decode/test-decoding";

/** quote_identifier(): bare when it is a plain lower-case identifier, else double-quoted with "" for ". */
const ident = (s: string) => (/^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

describe("parseTestDecodingChange", () => {
  it("reads names, odd types, quoted literals, bits, nulls and unchanged TOAST", () => {
    const line = `table public."Odd T": UPDATE: old-key: "k ey"[text]:'a new-tuple: b' new-tuple: "k ey"[text]:'x''y' f[double precision]:-Infinity arr[double precision[]]:'{NaN}' b[bit varying(8)]:B'0101' t[public."My]:T"]:'NaN' big[text]:unchanged-toast-datum n[numeric]:null`;
    expect(parseTestDecodingChange(line)).toEqual({
      schema: "public",
      table: "Odd T",
      action: "UPDATE",
      columns: [
        { name: "k ey", text: "x'y", bare: false },
        { name: "f", text: "-Infinity", bare: true },
        { name: "arr", text: "{NaN}", bare: false },
        { name: "b", text: "0101", bare: false },
        { name: "t", text: "NaN", bare: false },
        { name: "big", text: "unchanged-toast-datum", bare: true },
        { name: "n", text: null, bare: false },
      ],
    });
  });

  it("ignores lines that are not row changes", () => {
    for (const line of ["BEGIN 725", "COMMIT 725", "table public.a, public.b: TRUNCATE: (no-flags)", "message: transactional: 1 prefix: p, sz: 1 content:x"]) {
      expect(parseTestDecodingChange(line)).toBeNull();
    }
  });

  it("round-trips any names and values", () => {
    const value = fc.oneof(
      fc.string().map((s) => ({ printed: literal(s), text: s as string | null, bare: false })),
      fc.constantFrom("NaN", "Infinity", "-Infinity", "1.5e+300", "-0", "42", "true").map((s) => ({ printed: s, text: s as string | null, bare: true })),
      fc.constant({ printed: "null", text: null as string | null, bare: false }),
    );
    const column = fc.record({ name: fc.string({ minLength: 1 }), type: fc.constantFrom("integer", "text", "double precision[]", 'public."x]: y"', "character varying(10)"), value });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.constantFrom("INSERT", "UPDATE", "DELETE"), fc.array(column, { minLength: 1, maxLength: 6 }), (schema, table, action, cols) => {
        const body = cols.map((c) => `${ident(c.name)}[${c.type}]:${c.value.printed}`).join(" ");
        const parsed = parseTestDecodingChange(`table ${ident(schema)}.${ident(table)}: ${action}: ${body}`);
        expect(parsed).toEqual({ schema, table, action, columns: cols.map((c) => ({ name: c.name, text: c.value.text, bare: c.value.bare })) });
      }),
      { numRuns: 500 },
    );
  });
});
