// Relation walking and statement analysis, checked directly on SQL text.
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeSql } from "../../src/lint/analyze-sql";
import { loadPgParser } from "../../src/lint/pg-parser";

const rels = (sql: string) => {
  const a = analyzeSql(sql);
  if (!a.ok) throw new Error(a.message);
  return a.statements.flatMap((s) => s.relations.map((r) => `${s.kind} ${r.access} ${r.schema ? `${r.schema}.` : ""}${r.name}`));
};

describe("relations and access kinds", () => {
  beforeAll(() => loadPgParser());

  it.each([
    ["INSERT INTO a SELECT * FROM b", ["INSERT write a", "INSERT read b"]],
    ["UPDATE a SET x = 1 FROM b", ["UPDATE write a", "UPDATE read b"]],
    ["DELETE FROM a USING b", ["DELETE write a", "DELETE read b"]],
    ["MERGE INTO a USING b ON true WHEN NOT MATCHED THEN INSERT VALUES (1)", ["MERGE write a", "MERGE read b"]],
    ["COPY a FROM STDIN", ["COPY write a"]],
    ["COPY a TO STDOUT", ["COPY read a"]],
    ["SELECT * INTO new_t FROM a", ["SELECT INTO write new_t", "SELECT INTO read a"]],
    ["CREATE TABLE t (id int REFERENCES s.a)", ["CREATE TABLE ddl t", "CREATE TABLE ddl s.a"]],
    ["CREATE VIEW v AS SELECT * FROM a", ["CREATE VIEW ddl v", "CREATE VIEW read a"]],
    ["DROP TRIGGER trg ON s.a", ["DROP TRIGGER ddl s.a"]],
    ["COMMENT ON COLUMN a.c IS 'x'", ["COMMENT ddl a"]],
    ["DROP INDEX a_idx", []],
    ["CREATE SEQUENCE a_seq", []],
    ["LOCK TABLE a", ["LOCK read a"]],
    ["SELECT * FROM a AS users FOR UPDATE OF users", ["SELECT read a"]],
    ["(WITH x AS (SELECT 1) SELECT * FROM x) UNION SELECT * FROM x", ["SELECT read x"]],
  ])("%s", (sql, expected) => {
    expect(rels(sql)).toEqual(expected);
  });

  it("reports character offsets after multi-byte text (libpg-query counts bytes)", () => {
    const sql = "SELECT 'héllo 🎉' FROM users";
    const a = analyzeSql(sql);
    expect(a.ok && a.statements[0]!.relations[0]!.offset).toBe(sql.indexOf("users"));
  });

  it("gives each statement of a multi-statement string its own kind, offset and fingerprint", () => {
    const sql = "SELECT 1;\n  DELETE FROM a WHERE id = 1; DELETE FROM a WHERE id = 2";
    const a = analyzeSql(sql);
    if (!a.ok) throw new Error(a.message);
    expect(a.statements.map((s) => s.kind)).toEqual(["SELECT", "DELETE", "DELETE"]);
    expect(a.statements[1]!.offset).toBe(sql.indexOf("DELETE"));
    // Statements differing only in constants share a fingerprint; that is what keeps baselines stable.
    expect(a.statements[1]!.fingerprint).toBe(a.statements[2]!.fingerprint);
    expect(a.statements[0]!.fingerprint).not.toBe(a.statements[1]!.fingerprint);
  });

  it("reports a parse error with its character offset", () => {
    const a = analyzeSql("SELECT * FORM users");
    expect(a.ok).toBe(false);
    expect(!a.ok && a.offset).toBe(9);
  });
});
