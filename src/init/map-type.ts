// A catalog column → the column spec init declares. Types the engine maps natively use their col.* builder
// (decided by the same resolveType setup checks with, so init never declares what setup would refuse);
// every other type is `col.pgText("<format_type>")` (contract 1): PostgreSQL's own text output. Domains are
// declared by their base type (the catalog check resolves them the same way).
import type { ColumnDef } from "../definitions/types";
import { resolveType } from "../postgres/checks/columns";
import type { DbColumn, DbSchema } from "../postgres/introspect";

export interface ColumnSpecOut {
  readonly type: ColumnDef["type"];
  readonly array: boolean;
  readonly nullable: boolean;
  readonly enumValues?: readonly string[];
  readonly pgType?: string;
  /** Why the column is declared the way it is, for the generated file's comment. */
  readonly notes: readonly string[];
}

export function mapColumn(db: DbSchema, c: DbColumn): ColumnSpecOut {
  const notes: string[] = [];
  let { oid, typmod } = { oid: c.typeOid, typmod: c.typmod };
  let t = db.types.get(oid);
  const domains: string[] = [];
  while (t?.kind === "d") {
    domains.push(`${t.schema}.${t.name}`);
    ({ oid, typmod } = { oid: t.base, typmod: t.baseTypmod });
    t = db.types.get(oid);
  }
  const array = !!t && t.category === "A" && t.elem !== 0;
  if (array) {
    oid = t!.elem;
    t = db.types.get(oid);
    while (t?.kind === "d") {
      domains.push(`${t.schema}.${t.name}`);
      ({ oid, typmod } = { oid: t.base, typmod: t.baseTypmod });
      t = db.types.get(oid);
    }
  }
  const base = db.formatted.get(`${oid}:${typmod}`) ?? c.display;
  if (domains.length > 0) notes.push(`domain ${domains.join(" → ")} over ${base}`);
  if (c.generated === "s") notes.push("generated (STORED): PostgreSQL stores its value, so the backfill and the stream both carry it like any column");
  const r = resolveType(db.types, c.typeOid);
  const nullable = !c.notNull;
  if (r.type !== null && r.type !== "pgtext" && r.array === array) {
    if (r.type === "enum") {
      notes.push(`enum ${r.enumType?.schema}.${r.enumType?.name}`);
      return { type: "enum", array, nullable, enumValues: r.enumType?.labels ?? [], notes };
    }
    return { type: r.type, array, nullable, notes };
  }
  notes.push(`${base}: PostgreSQL's text output (no native Convex type)`);
  return { type: "pgtext", array, nullable, pgType: base, notes };
}
