// DROP and COMMENT name their objects as plain string lists rather than RangeVars, so the generic walk
// cannot see them. This reads the tables out of those lists for the object types that are (or hang off)
// tables; indexes, types, functions and the like are not table references.

type Node = Record<string, unknown>;

/** Object types whose name list IS a table name. */
const TABLE_OBJECTS = new Set(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"]);
/** Object types named `…, table, object`: the table is every part but the last. */
const ON_TABLE_OBJECTS = new Set(["OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE", "OBJECT_COLUMN", "OBJECT_TABCONSTRAINT"]);

export function dropTargets(type: "DropStmt" | "CommentStmt", body: Node): { schema?: string; name: string }[] {
  const objtype = (type === "DropStmt" ? body.removeType : body.objtype) as string | undefined;
  if (!objtype) return [];
  const lists = type === "DropStmt" ? ((body.objects as Node[] | undefined) ?? []) : body.object ? [body.object as Node] : [];
  const out: { schema?: string; name: string }[] = [];
  for (const l of lists) {
    const parts = (((l.List as Node | undefined)?.items as Node[] | undefined) ?? []).map((i) => (i.String as Node | undefined)?.sval as string | undefined);
    if (parts.some((p) => p === undefined)) continue;
    const names = TABLE_OBJECTS.has(objtype) ? parts : ON_TABLE_OBJECTS.has(objtype) ? parts.slice(0, -1) : [];
    // A catalog-qualified name (db.schema.table) keeps its last two parts; the database is irrelevant here.
    const tail = names.slice(-2) as string[];
    if (tail.length === 2) out.push({ schema: tail[0]!, name: tail[1]! });
    else if (tail.length === 1) out.push({ name: tail[0]! });
  }
  return out;
}
