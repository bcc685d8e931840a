// Shared shapes of the guardrail lint and the write-site inventory. Positions are 1-based lines and
// columns in the source file (columns count UTF-16 code units, as editors and GitHub do).

/** Rule ids. They are what suppression comments, the baseline and every report name. */
export type RuleId = "no-legacy-tables" | "dynamic-sql" | "unparseable-sql" | "invalid-suppression";
export const RULE_IDS: readonly RuleId[] = ["no-legacy-tables", "dynamic-sql", "unparseable-sql", "invalid-suppression"];

export type Severity = "error" | "warning";

/** How a statement uses a relation: `ddl` covers CREATE/ALTER/DROP/COMMENT/GRANT and REFERENCES targets. */
export type Access = "read" | "write" | "ddl";

export interface Position {
  line: number;
  column: number;
}

/** A relation named by SQL, before search-path resolution. `schema` is absent when unqualified. */
export interface RelationRef {
  schema?: string;
  name: string;
  access: Access;
  /** Character offset in the analysed SQL text. */
  offset: number;
  /** Set when a template hole supplies the table name (or only its schema): it cannot be known statically. */
  dynamicHole?: { expr: string; part: "name" | "schema" };
}

export interface Unresolved {
  offset: number;
  rule: "dynamic-sql" | "unparseable-sql";
  reason: string;
}

export interface StatementInfo {
  /** Upper-case statement kind such as SELECT, INSERT, MERGE, CREATE TABLE. */
  kind: string;
  /** For SQL inside a function body or DO block: the kind of the enclosing statement (CREATE FUNCTION, DO). */
  within?: string;
  /** libpg-query fingerprint: equal for statements differing only in constants and layout. */
  fingerprint: string;
  relations: RelationRef[];
  /** Character offset of the statement in the analysed SQL text. */
  offset: number;
  /** SQL inside the statement that cannot be checked: PL/pgSQL `EXECUTE` of a runtime string, a body that does not parse. */
  unresolved: Unresolved[];
}

/** Where a finding comes from inside one source file. */
export interface SiteRef {
  file: string;
  line: number;
  column: number;
  /** `tag` (tagged template), `call` (argument of a configured call) or `sql-file`. */
  origin: "tag" | "call" | "sql-file";
  /** The tag or call target as written, e.g. `pool.query`, `Prisma.sql`. */
  callee: string;
  /** Enclosing function / method / class names, outermost first, joined by `.` ("" at top level). */
  scope: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  message: string;
  /** Baseline identity: hash of rule, statement fingerprint and table; independent of line numbers. */
  fingerprint: string;
  table?: string;
  access?: Access;
  statementKind?: string;
  /** Line of the SQL site's expression; a suppression on the line above it covers all its findings. */
  siteLine?: number;
}

export interface LintSummary {
  files: number;
  sqlSites: number;
  errors: number;
  warnings: number;
  /** Silenced by inline directives. */
  suppressed: number;
  /** Accounted for by the baseline. */
  baselined: number;
  /** Baseline entries no finding matched any more (fixed code); `--update-baseline` prunes them. */
  staleBaseline: number;
}
