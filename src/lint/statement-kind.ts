// Human statement kinds (SELECT, INSERT, CREATE TABLE, DROP VIEW, …) from libpg-query node types.

const KINDS: Record<string, string> = {
  SelectStmt: "SELECT",
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
  CopyStmt: "COPY",
  TruncateStmt: "TRUNCATE",
  CreateStmt: "CREATE TABLE",
  CreateTableAsStmt: "CREATE TABLE AS",
  AlterTableStmt: "ALTER TABLE",
  IndexStmt: "CREATE INDEX",
  ViewStmt: "CREATE VIEW",
  CreateTrigStmt: "CREATE TRIGGER",
  CreateFunctionStmt: "CREATE FUNCTION",
  CreatePolicyStmt: "CREATE POLICY",
  RenameStmt: "RENAME",
  GrantStmt: "GRANT",
  CommentStmt: "COMMENT",
  DoStmt: "DO",
  LockStmt: "LOCK",
  ExplainStmt: "EXPLAIN",
  RefreshMatViewStmt: "REFRESH MATERIALIZED VIEW",
  TransactionStmt: "TRANSACTION",
  VariableSetStmt: "SET",
};

export function statementKind(stmt: Record<string, unknown>): string {
  const type = Object.keys(stmt)[0] ?? "Unknown";
  const body = (stmt[type] ?? {}) as Record<string, unknown>;
  if (type === "SelectStmt" && body.intoClause) return "SELECT INTO";
  if (type === "DropStmt")
    return `DROP ${String(body.removeType ?? "OBJECT")
      .replace(/^OBJECT_/, "")
      .replace(/_/g, " ")}`;
  if (type === "GrantStmt" && body.is_grant === false) return "REVOKE";
  if (type === "ExplainStmt") {
    const inner = body.query as Record<string, unknown> | undefined;
    return inner ? `EXPLAIN ${statementKind(inner)}` : "EXPLAIN";
  }
  const known = KINDS[type];
  if (known) return known;
  // Fallback: CamelCase type name without the Stmt suffix, e.g. AlterSeqStmt → ALTER SEQ.
  return type
    .replace(/Stmt$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase();
}
