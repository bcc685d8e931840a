// What `pg2convex init` declares, decided from the catalog (pure: no I/O, so it is unit-tested on literals).
// Invariants: leaf partitions are never declared (their parent is); a table without a primary key is not
// declared (the mirror needs a row key) and is listed with the reason; a foreign key becomes a reference
// only when it is single-column and points at the single-column primary key of a declared table (the one
// shape the mirror resolves to a Convex id), every other one stays a raw column with a note saying why.
import { describeKeyType, keyTypesMatch } from "../definitions/reference-keys";
import { Pg2ConvexError } from "../errors";
import type { DbColumn, DbSchema, DbTable } from "../postgres/introspect";
import { breakCycles, type RefEdge } from "./cycles";
import { mapColumn, type ColumnSpecOut } from "./map-type";
import { globMatcher } from "./names";

export interface InitOptions {
  readonly schema: string;
  /** Table names; empty: every table of the schema. */
  readonly tables: readonly string[];
  /** Globs (`*`, `?`) on table names; empty: no pattern. */
  readonly pattern: readonly string[];
  /** Names or globs of tables deliberately not mirrored. */
  readonly excludeTables: readonly string[];
  /** `table.column` entries: columns deliberately not mirrored (contract 2). */
  readonly excludeColumns: readonly string[];
}

export interface PlannedColumn extends ColumnSpecOut {
  readonly name: string;
}

export interface PlannedReference {
  readonly column: string;
  readonly table: string;
  /** Set only when the default `<column>_ref` is taken by a column. */
  readonly field?: string;
  readonly ordering: boolean;
  readonly note?: string;
}

export interface PlannedTable {
  readonly schema: string;
  readonly name: string;
  readonly partitioned: boolean;
  readonly partitions: readonly string[];
  readonly primaryKey: readonly string[];
  readonly columns: readonly PlannedColumn[];
  readonly exclude: readonly string[];
  readonly references: readonly PlannedReference[];
  /** Notes on raw foreign keys and other table-level facts, for the generated comment. */
  readonly notes: readonly string[];
}

export interface InitPlan {
  readonly options: InitOptions;
  readonly tables: readonly PlannedTable[];
  /** Tables matched by the selection but left out on purpose (--exclude-tables). */
  readonly excluded: readonly string[];
  /** Tables that cannot be mirrored, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

export function planInit(db: DbSchema, options: InitOptions): InitPlan {
  const selected = selectTables(db, options);
  const isExcluded = globMatcher(options.excludeTables);
  const excluded = selected.filter((t) => isExcluded(t.name)).map((t) => t.name);
  const skipped = selected.filter((t) => !isExcluded(t.name) && t.primaryKey.length === 0).map((t) => ({ name: t.name, reason: "no primary key (the mirror needs a row key): add one, then run init again" }));
  const kept = selected.filter((t) => !isExcluded(t.name) && t.primaryKey.length > 0);
  const byName = new Map(kept.map((t) => [t.name, t]));
  const notMirrored = (name: string) => (excluded.includes(name) ? "excluded (--exclude-tables)" : skipped.some((s) => s.name === name) ? "skipped (no primary key)" : "not selected");

  const drafts = kept.map((t) => {
    const dropCols = new Set(options.excludeColumns.filter((e) => e.startsWith(`${t.name}.`)).map((e) => e.slice(t.name.length + 1)));
    const columns = t.columns.filter((c) => !dropCols.has(c.name)).map((c): PlannedColumn => ({ name: c.name, ...mapColumn(db, c) }));
    const refs: Array<{ column: string; table: string }> = [];
    const notes: string[] = [];
    const colNotes = new Map<string, string[]>();
    const noteOn = (column: string, note: string) => colNotes.set(column, [...(colNotes.get(column) ?? []), note]);
    for (const fk of t.foreignKeys) {
      const target = `${fk.refSchema === db.schema ? "" : `${fk.refSchema}.`}${fk.refTable}(${fk.refColumns.join(", ")})`;
      const parent = fk.refSchema === db.schema ? byName.get(fk.refTable) : undefined;
      const column = fk.columns.length === 1 ? fk.columns[0]! : undefined;
      if (column === undefined) notes.push(`foreign key ${fk.name} (${fk.columns.join(", ")}) → ${target} is composite: references are single-column, so these stay raw columns`);
      else if (dropCols.has(column)) continue;
      else if (!parent) noteOn(column, `→ ${target}: ${fk.refSchema === db.schema ? notMirrored(fk.refTable) : "another schema"}, so it stays a raw key`);
      else if (parent.primaryKey.length !== 1) noteOn(column, `→ ${target}: ${parent.name}'s primary key is composite, so it stays a raw key`);
      else if (fk.refColumns[0] !== parent.primaryKey[0]) noteOn(column, `→ ${target}: not ${parent.name}'s primary key (${parent.primaryKey[0]}), so it stays a raw key`);
      else if (refs.some((r) => r.column === column)) noteOn(column, `→ ${target}: a second foreign key on this column, so it is not declared again`);
      else if (keyMismatch(db, t, column, parent)) noteOn(column, `→ ${target}: ${keyMismatch(db, t, column, parent)}, so it stays a raw key`);
      else refs.push({ column, table: parent.name });
    }
    const cols = columns.map((c) => (colNotes.has(c.name) ? { ...c, notes: [...c.notes, ...colNotes.get(c.name)!] } : c));
    return { t, columns: cols, refs, notes, exclude: [...dropCols].filter((c) => t.columns.some((x) => x.name === c)).sort() };
  });

  const edges: RefEdge[] = drafts.flatMap((d) => d.refs.map((r) => ({ from: d.t.name, column: r.column, to: r.table, nullable: !d.t.columns.find((c) => c.name === r.column)?.notNull })));
  const broken = new Map(breakCycles(edges).map((b) => [`${b.edge.from}.${b.edge.column}`, b]));
  const partitionsOf = (name: string) =>
    [...db.partitions]
      .filter(([, root]) => root === name)
      .map(([leaf]) => leaf)
      .sort();

  const tables = drafts.map((d): PlannedTable => ({
    schema: db.schema,
    name: d.t.name,
    partitioned: d.t.kind === "p",
    partitions: partitionsOf(d.t.name),
    primaryKey: d.t.primaryKey,
    columns: d.columns,
    exclude: d.exclude,
    notes: d.notes,
    references: d.refs.map((r0) => {
      const b = broken.get(`${d.t.name}.${r0.column}`);
      // The Convex id field is `<column>_ref` unless a column already has that name.
      const taken = new Set(d.t.columns.map((c) => c.name));
      let field = `${r0.column}_ref`;
      while (taken.has(field)) field = `${field}_id`;
      const r = field === `${r0.column}_ref` ? r0 : { ...r0, field };
      return b ? { ...r, ordering: false, note: `non-ordering: breaks the foreign-key cycle ${b.cycle.join(" → ")} (no parents-first order exists; the _ref is filled when the parent arrives)` } : { ...r, ordering: true };
    }),
  }));
  return { options, tables, excluded, skipped };
}

function selectTables(db: DbSchema, o: InitOptions): DbTable[] {
  const byName = new Map(db.tables.map((t) => [t.name, t]));
  const problems: string[] = [];
  for (const n of o.tables) {
    if (byName.has(n)) continue;
    const root = db.partitions.get(n);
    problems.push(root ? `${n} is a partition of ${root}: declare ${root} (every partition is mirrored through it)` : `${n} is not a table of schema ${db.schema}`);
  }
  if (problems.length > 0) throw new Pg2ConvexError("CONFIG_INVALID", `init: ${problems.join("; ")}`, { context: { problems }, fix: `choose from: ${[...byName.keys()].join(", ") || "(no tables)"}` });
  // Name order (C collation), whatever order the catalog listed them in: the generated file is deterministic.
  const all = [...db.tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (o.tables.length === 0 && o.pattern.length === 0) return all;
  const matches = globMatcher(o.pattern);
  return all.filter((t) => o.tables.includes(t.name) || (o.pattern.length > 0 && matches(t.name)));
}

/**
 * Why a foreign key between two declared single-column keys cannot be a reference, or null when it can: the
 * mirror matches a child's value with its parent's key by their Convex values (reference-keys.ts), exactly only
 * for integers of any width and for columns stored alike. Among the types mirrored as text, character(n) keeps
 * its padding, so it matches only the very same type (PostgreSQL compares char(n) with text unpadded).
 */
function keyMismatch(db: DbSchema, t: DbTable, column: string, parent: DbTable): string | null {
  const c = t.columns.find((x) => x.name === column);
  const p = parent.columns.find((x) => x.name === parent.primaryKey[0]);
  if (!c || !p) return null;
  const cm = mapColumn(db, c);
  const pm = mapColumn(db, p);
  const padded = (d: string) => /^character\(|^bpchar\b/.test(d) || /^character$/.test(d);
  const differ = !keyTypesMatch(cm, pm) || (cm.type === "text" && (padded(c.display) || padded(p.display)) && c.display !== p.display);
  if (!differ) return null;
  const shown = (m: ColumnSpecOut, d: DbColumn) => (m.type === "text" ? d.display : describeKeyType(m));
  return `its type (${shown(cm, c)}) and ${parent.name}.${p.name}'s (${shown(pm, p)}) are not stored alike in Convex (the mirror could not match them exactly)`;
}
