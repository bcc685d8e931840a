// Last resort for SQL assembled at runtime that does not parse even with placeholders, such as
// `INSERT INTO users (${cols}) VALUES ${rows}`: the PostgreSQL lexer still tokenises it, and a name
// right after FROM / JOIN / INTO / UPDATE / TABLE / TRUNCATE / REFERENCES is a relation. This keeps a
// guardrail from being bypassed by a dynamic column list. It cannot see CTEs, so its results are only
// used against the deny-list and the inventory, and always alongside a dynamic-sql finding.
import { scanSql } from "./pg-parser";
import type { Access, RelationRef } from "./types";

const INTRODUCERS: Record<string, Access> = {
  from: "read",
  join: "read",
  into: "write",
  update: "write",
  table: "ddl",
  truncate: "write",
  references: "ddl",
};

/** PostgreSQL's folding: quoted identifiers keep their spelling, unquoted ones fold ASCII to lower case. */
function identifier(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export function salvageRelations(sql: string): { kind: string; relations: RelationRef[] } | undefined {
  const tokens = scanSql(sql)?.filter((t) => t.tokenName !== "SQL_COMMENT" && t.tokenName !== "C_COMMENT");
  if (!tokens || tokens.length === 0) return undefined;
  const relations: RelationRef[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i]!.text.toLowerCase();
    const introduced = INTRODUCERS[word];
    if (!introduced) continue;
    const access = word === "from" && tokens[i - 1]?.text.toLowerCase() === "delete" ? "write" : introduced;
    let j = i + 1;
    const isName = (k: number) => tokens[k] !== undefined && (tokens[k]!.tokenName === "IDENT" || tokens[k]!.keywordName === "UNRESERVED_KEYWORD");
    while (tokens[j] && ["only", "if", "not", "exists", "lateral"].includes(tokens[j]!.text.toLowerCase())) j++;
    // No name follows in `RETURNS TABLE (…)`, `FROM (subquery)` or `FROM $1`; COPY's STDIN is no table.
    if (!isName(j) || ["stdin", "stdout"].includes(tokens[j]!.text.toLowerCase())) continue;
    const parts = [identifier(tokens[j]!.text)];
    const offset = tokens[j]!.start;
    while (tokens[j + 1]?.text === "." && isName(j + 2)) {
      parts.push(identifier(tokens[j + 2]!.text));
      j += 2;
    }
    const [schema, name] = parts.length >= 2 ? parts.slice(-2) : [undefined, parts[0]!];
    relations.push({ ...(schema === undefined ? {} : { schema }), name: name!, access, offset });
  }
  return { kind: `${tokens[0]!.text.toUpperCase()} (partly parsed)`, relations };
}
