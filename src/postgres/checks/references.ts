// Declared references against real foreign keys, both ways. The dependency graph (parents before
// children) is only correct if it knows every foreign key between mirrored tables, and a declared
// reference without a foreign key has nothing keeping the parent row alive. Foreign keys to unmirrored
// tables (users, …) are fine: those values stay raw keys.
import type { TableDef, TableSet } from "../../definitions/types";
import { displayName, qualified, quoteIdent } from "../ident";
import type { ForeignKeyFacts, RelationFacts } from "./catalog";
import { fail, pass, warn, type CheckResult } from "./report";

const describeFk = (fk: ForeignKeyFacts) => `${fk.name} → ${fk.refSchema}.${fk.refTable}(${fk.refColumns.join(", ")})`;

export function referenceChecks(t: TableDef, rel: RelationFacts, tables: TableSet, relations?: ReadonlyMap<string, RelationFacts>): CheckResult[] {
  const s = displayName(t);
  const byName = new Map(tables.map((d) => [d.name, d]));
  const mirrored = (fk: ForeignKeyFacts) => tables.find((d) => d.schema === fk.refSchema && d.name === fk.refTable);
  const out: CheckResult[] = [];

  for (const r of t.references) {
    const parent = byName.get(r.table);
    const subject = `${s}.${r.column}`;
    const onColumn = rel.foreignKeys.filter((fk) => fk.columns.length === 1 && fk.columns[0] === r.column);
    const fk = onColumn.find((k) => k.refTable === r.table && (!parent || k.refSchema === parent.schema));
    if (!fk) {
      const actual = onColumn.length > 0 ? ` (its foreign key is ${onColumn.map(describeFk).join(", ")})` : "";
      const target = parent ? qualified(parent) : quoteIdent(r.table);
      out.push(
        fail(
          "reference_fk",
          subject,
          `${subject} is declared to reference ${r.table}, but no foreign key says so${actual}`,
          `ALTER TABLE ${qualified(t)} ADD FOREIGN KEY (${quoteIdent(r.column)}) REFERENCES ${target}; or remove ${r.column} from the references of ${t.name}`,
        ),
      );
      continue;
    }
    const padded = parent ? paddedMismatch(rel, r.column, relations?.get(`${parent.schema}.${parent.name}`), parent.primaryKey[0]) : null;
    if (padded) {
      out.push(
        fail(
          "reference_type",
          subject,
          `${subject} (${padded.child}) references ${parent!.name}.${parent!.primaryKey[0]} (${padded.parent}): both mirror as text, but character(n) keeps its padding in Convex while PostgreSQL compares the keys without it, so the reference id, lookups and count/sum fields would not match`,
          `give both columns the same type (ALTER TABLE ${qualified(t)} ALTER COLUMN ${quoteIdent(r.column)} TYPE ${padded.parent}), or remove ${r.column} from the references of ${t.name}`,
        ),
      );
    }
    // The mirror resolves a reference by the parent's primary key; a foreign key to another unique column would resolve wrongly.
    if (parent && (fk.refColumns.length !== 1 || fk.refColumns[0] !== parent.primaryKey[0])) {
      out.push(
        fail(
          "reference_fk",
          subject,
          `${subject} references ${parent.name}(${fk.refColumns.join(", ")}), not its primary key (${parent.primaryKey.join(", ")})`,
          `point foreign key ${fk.name} at ${qualified(parent)} (${parent.primaryKey.map(quoteIdent).join(", ")}), or remove ${r.column} from the references of ${t.name}`,
        ),
      );
    }
  }

  for (const fk of rel.foreignKeys) {
    const parent = mirrored(fk);
    if (!parent) continue;
    const column = fk.columns.length === 1 ? fk.columns[0]! : undefined;
    if (column !== undefined && t.references.some((r) => r.column === column && r.table === parent.name)) continue;
    // Only a single-column foreign key to the parent's (single-column) primary key can be a reference. Any other
    // (composite, or to another unique column) cannot be declared (reference_fk above refuses it), so its
    // values mirror as raw keys, as `init` writes them: worth knowing, not a failure.
    const toPrimaryKey = column !== undefined && parent.primaryKey.length === 1 && fk.refColumns.length === 1 && fk.refColumns[0] === parent.primaryKey[0];
    if (toPrimaryKey) {
      out.push(fail("undeclared_fk", `${s}.${column}`, `foreign key ${describeFk(fk)} points at mirrored table ${parent.name} but is not declared`, `declare references: { ${column}: "${parent.name}" } in the definition of ${t.name}`));
    } else {
      const why = column === undefined ? `is composite (${fk.columns.join(", ")})` : `is not to ${parent.name}'s primary key (${parent.primaryKey.join(", ")})`;
      out.push(
        warn(
          "raw_fk",
          column === undefined ? s : `${s}.${column}`,
          `foreign key ${describeFk(fk)} to mirrored table ${parent.name} ${why}: pg2convex references are single-column to the primary key, so its columns mirror as raw keys (no _ref field, no ordering)`,
          `nothing to do if raw keys suffice; for a reference, replace ${fk.name} with a single-column foreign key to ${qualified(parent)} (${parent.primaryKey.map(quoteIdent).join(", ")})`,
        ),
      );
    }
  }
  return out.some((r) => r.level !== "warn") ? out : [pass("references", s, `${t.references.length} declared reference(s) match the foreign keys`), ...out];
}

const BPCHAR = 1042;

/**
 * A child column and a parent key that are both declared text but cannot be matched by their Convex values:
 * character(n) is mirrored with its padding (its text output), and PostgreSQL's foreign key compares it with a
 * text, varchar or other-length character key without it. The definitions cannot tell (all are `text`), so the
 * catalog does. Integer pairs and other declared types are settled by the definitions (reference-keys.ts).
 */
function paddedMismatch(rel: RelationFacts, column: string, parentRel: RelationFacts | undefined, key: string | undefined): { child: string; parent: string } | null {
  const c = rel.columns.get(column);
  const p = key === undefined ? undefined : parentRel?.columns.get(key);
  if (!c || !p) return null;
  if (c.typeOid !== BPCHAR && p.typeOid !== BPCHAR) return null;
  return c.display === p.display ? null : { child: c.display, parent: p.display };
}
