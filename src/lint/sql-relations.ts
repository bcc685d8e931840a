// Walks one libpg-query statement tree and lists every relation it names, with how it is used.
//
// Invariants:
// - Every RangeVar anywhere in the tree is a relation reference (FROM/JOIN, subqueries, DML targets,
//   USING, MERGE sources, COPY, TRUNCATE, REFERENCES, INHERITS, LIKE, GRANT, …), except sequence and
//   composite-type names, which are not tables, and locking clauses (see below).
// - Only range-table positions (FROM, JOIN operands, USING, MERGE source) can name a CTE, exactly as in
//   PostgreSQL: `WITH users AS (…) SELECT … FROM users` reads the CTE, `… DELETE FROM users` the table.
// - `FOR UPDATE OF x` names a FROM item (often an alias), which the walk has already seen.
// - Column references, aliases, string constants and comments never produce a relation: they are not
//   RangeVars, so the walk cannot mistake them for one.
import type { Access } from "./types";
import { dropTargets } from "./sql-drop-targets";

export interface RawRelation {
  schema?: string;
  name: string;
  access: Access;
  /** UTF-8 byte offset in the parsed text (libpg-query's unit). */
  byteOffset: number;
}

export interface RoutineBody {
  /** `sql`, `plpgsql`, … as written in LANGUAGE (plpgsql for DO). */
  language: string;
  body: string;
  byteOffset: number;
}

export interface StatementWalk {
  relations: RawRelation[];
  routines: RoutineBody[];
}

type Node = Record<string, unknown>;
type Scope = ReadonlySet<string>;

const RANGE_TABLE_KEYS = new Set(["fromClause", "usingClause", "larg", "rarg", "sourceRelation"]);
const NOT_TABLE_KEYS = new Set(["sequence", "typevar", "identitySequence", "lockedRels"]);
const DML_TARGET: Record<string, string> = { InsertStmt: "relation", UpdateStmt: "relation", DeleteStmt: "relation", MergeStmt: "relation" };

export function walkStatement(stmt: Node, stmtByteOffset: number): StatementWalk {
  const out: StatementWalk = { relations: [], routines: [] };
  const ctx = { out, stmtByteOffset };

  function visit(value: unknown, key: string, scope: Scope, access: Access): void {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, key, scope, access);
      return;
    }
    if (value === null || typeof value !== "object") return;
    const node = value as Node;
    if (typeof node.relname === "string" && "relpersistence" in node) return rangeVar(node, key, scope, access);
    const keys = Object.keys(node);
    if (keys.length === 1 && /^[A-Z]/.test(keys[0]!)) return typed(keys[0]!, node[keys[0]!] as Node, key, scope, access);
    for (const k of keys) visit(node[k], k, scope, access);
  }

  function rangeVar(rv: Node, key: string, scope: Scope, access: Access): void {
    if (NOT_TABLE_KEYS.has(key)) return;
    const schema = rv.schemaname as string | undefined;
    const name = rv.relname as string;
    if (schema === undefined && RANGE_TABLE_KEYS.has(key) && scope.has(name)) return;
    out.relations.push({ ...(schema === undefined ? {} : { schema }), name, access, byteOffset: (rv.location as number | undefined) ?? stmtByteOffset });
  }

  function typed(type: string, body: Node, key: string, scope: Scope, access: Access): void {
    if (type === "RangeVar") return rangeVar(body, key, scope, access);
    if (type === "CreateFunctionStmt" || type === "DoStmt") collectRoutine(body, type, ctx);
    if (type === "DropStmt" || type === "CommentStmt") {
      for (const t of dropTargets(type, body)) out.relations.push({ ...t, access: "ddl", byteOffset: stmtByteOffset });
    }
    const inner = withCtes(body, scope);
    const fieldAccess = accessFor(type, body, access);
    for (const [k, v] of Object.entries(body)) {
      if (k === "withClause") continue;
      // Set-operation arms (UNION/INTERSECT/EXCEPT) are bare SelectStmt structs, each with its own scope.
      if (type === "SelectStmt" && (k === "larg" || k === "rarg") && v) {
        typed("SelectStmt", v as Node, k, inner, "read");
        continue;
      }
      visit(v, k, inner, targetAccess(type, k) ?? fieldAccess);
    }
  }

  /** Visits CTE bodies with the names visible to each, returns the scope of the statement body. */
  function withCtes(body: Node, scope: Scope): Scope {
    const withClause = body.withClause as Node | undefined;
    const ctes = ((withClause?.ctes as Node[] | undefined) ?? []).map((c) => c.CommonTableExpr as Node);
    if (ctes.length === 0) return scope;
    const all = new Set([...scope, ...ctes.map((c) => c.ctename as string)]);
    const visible = new Set(scope);
    for (const cte of ctes) {
      // A non-recursive WITH lets each CTE see only the ones before it; RECURSIVE lets all see all.
      visit(cte.ctequery, "ctequery", withClause?.recursive ? all : new Set(visible), "read");
      visible.add(cte.ctename as string);
    }
    return all;
  }

  visit(stmt, "stmt", new Set(), "read");
  return out;
}

/** Access for RangeVars in a node's fields: queries read, DDL statements define, others inherit. */
function accessFor(type: string, body: Node, inherited: Access): Access {
  if (type === "SelectStmt" || type === "LockStmt" || type in DML_TARGET) return "read";
  if (type === "CopyStmt") return body.is_from ? "write" : "read";
  if (type === "TruncateStmt" || type === "RefreshMatViewStmt") return "write";
  if (type.endsWith("Stmt")) return "ddl";
  return inherited;
}

function targetAccess(type: string, key: string): Access | undefined {
  if (DML_TARGET[type] === key) return "write";
  if (type === "SelectStmt" && key === "intoClause") return "write";
  if ((type === "ViewStmt" || type === "CreateTableAsStmt" || type === "RuleStmt") && (key === "query" || key === "actions")) return "read";
  return undefined;
}

function collectRoutine(body: Node, type: string, ctx: { out: StatementWalk; stmtByteOffset: number }): void {
  const options = ((type === "DoStmt" ? body.args : body.options) as Node[] | undefined) ?? [];
  let language = type === "DoStmt" ? "plpgsql" : "sql";
  let code: string | undefined;
  let byteOffset = ctx.stmtByteOffset;
  for (const o of options) {
    const d = o.DefElem as Node | undefined;
    if (!d) continue;
    const arg = d.arg as Node | undefined;
    if (d.defname === "language") language = String((arg?.String as Node | undefined)?.sval ?? language).toLowerCase();
    if (d.defname === "as") {
      const items = ((arg?.List as Node | undefined)?.items as Node[] | undefined) ?? (arg ? [arg] : []);
      // Two items means `AS 'obj_file', 'link_symbol'` of a C function: no SQL inside.
      if (items.length === 1) code = (items[0]!.String as Node | undefined)?.sval as string | undefined;
      byteOffset = (d.location as number | undefined) ?? byteOffset;
    }
  }
  if (code !== undefined) ctx.out.routines.push({ language, body: code, byteOffset });
}
