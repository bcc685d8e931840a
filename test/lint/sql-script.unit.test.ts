// Splitting .sql files into statements as psql does: what each statement's text is, and which
// psql meta-commands were seen. The corpus checks the findings that result; this checks the cuts.
import { describe, expect, it } from "vitest";
import { splitScript } from "../../src/lint/sql-script";

function cut(text: string): { statements: string[]; meta: string[] } {
  const { statements, meta } = splitScript(text);
  return {
    statements: statements.filter((s) => s.hasCode).map((s) => s.segments.map((g) => text.slice(g.start, g.end).trim()).join(" | ")),
    meta: meta.map((m) => `${m.name}:${m.args.trim()}`),
  };
}

describe("splitScript", () => {
  it("cuts at ; outside quotes, identifiers, dollar quotes and comments", () => {
    const text = ["SELECT ';', \"a;b\", $$;$$, $f$ ; $$ ; $f$, E'\\';', 'it''s;';", "-- a comment; still a comment", "/* nested /* ; */ ; */ SELECT 2;", "SELECT a$b$c FROM t; SELECT $1;"].join("\n");
    expect(cut(text).statements).toEqual(["SELECT ';', \"a;b\", $$;$$, $f$ ; $$ ; $f$, E'\\';', 'it''s;';", "-- a comment; still a comment\n/* nested /* ; */ ; */ SELECT 2;", "SELECT a$b$c FROM t;", "SELECT $1;"]);
  });

  it("keeps parentheses and BEGIN ATOMIC bodies together, as psql does", () => {
    const text = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); DELETE FROM b);\nCREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT CASE WHEN x THEN 1 END; SELECT 2; END;\nBEGIN; SELECT 3; END;";
    expect(cut(text).statements).toEqual([
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); DELETE FROM b);",
      "CREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT CASE WHEN x THEN 1 END; SELECT 2; END;",
      "BEGIN;",
      "SELECT 3;",
      "END;",
    ]);
  });

  it("takes psql meta-commands out of the statements; the \\g family ends one", () => {
    const text = "\\set ON_ERROR_STOP on\nSELECT 1\n\\echo it's\nFROM t;\nSELECT 2 \\gexec\nSELECT 3 \\\\ SELECT 4;\n\\i other.sql";
    expect(cut(text)).toEqual({
      statements: ["SELECT 1 | FROM t;", "SELECT 2", "SELECT 3 | SELECT 4;"],
      meta: ["set:ON_ERROR_STOP on", "echo:it's", "gexec:", "\\:", "i:other.sql"],
    });
  });

  it("skips the data of COPY … FROM stdin and \\copy … from stdin up to \\.", () => {
    const text = "COPY t (a) FROM stdin;\nx; DELETE 'y\n\\.\n\\copy u from stdin\nz;\n\\.\nSELECT 1;";
    expect(cut(text).statements).toEqual(["COPY t (a) FROM stdin;", "SELECT 1;"]);
  });

  it("an unterminated quote or comment runs to the end of the file", () => {
    expect(cut("SELECT 1;\nSELECT 'x;\nSELECT 2;").statements).toEqual(["SELECT 1;", "SELECT 'x;\nSELECT 2;"]);
    expect(cut("SELECT 1; /* x; SELECT 2;").statements).toEqual(["SELECT 1;"]);
  });
});
