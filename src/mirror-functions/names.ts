// Names shared by the schema builder, the functions and the bridge: system tables and index names (the
// canonical key string is in src/model/key.ts). Invariant: every name here is a legal Convex identifier
// that no mirrored table or column can collide with (checkNames enforces it at definition time).
import { Pg2ConvexError } from "../errors";
import { VERSION_FIELD, type TableDef, type TableSet } from "../definitions/types";

/** System tables written by applyBatch. Convex reserves names starting with "_", hence the prefix. */
export const SYSTEM_TABLES = {
  checkpoint: "pg2c_checkpoint",
  tombstone: "pg2c_tombstone",
  tableState: "pg2c_table_state",
  reject: "pg2c_reject",
  /** Columns of a row whose primary key changed, held until the upsert of its new key takes them. */
  carry: "pg2c_carry",
  /** One document per parity run (pg2convex parity), with its per-table verdicts. */
  parityRun: "pg2c_parity_run",
  /** Per table: the current green streak and the last drift seen (pg2convex status). */
  parityTable: "pg2c_parity_table",
  /** The migration's control plane (control/tables.ts): per-table phase and read flag, its events, the sidecar's heartbeat. */
  migration: "pg2c_migration",
  migrationEvent: "pg2c_migration_event",
  sidecar: "pg2c_sidecar",
  /** Schema drift: changes whose columns differ from the definitions, with their raw values (apply/drift.ts). */
  drift: "pg2c_drift",
} as const;

/** Index over the primary-key columns of every mirrored table. */
export const PK_INDEX = "by_pk";
/** Index over the version field: truncate deletes the rows older than its version through it. */
export const VERSION_INDEX = `by_${VERSION_FIELD}`;

/** The index whose first field is `column`: by_pk for a single-column primary key, else by_<column>. */
export function indexFor(def: TableDef, column: string): string {
  return def.primaryKey.length === 1 && def.primaryKey[0] === column ? PK_INDEX : `by_${column}`;
}

const IDENT = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/** Rejects definitions whose Convex names would be illegal or collide with pg2convex's own. */
export function checkNames(tables: TableSet): void {
  const problems: string[] = [];
  const system = new Set<string>(Object.values(SYSTEM_TABLES));
  for (const t of tables) {
    if (!IDENT.test(t.convexName) || system.has(t.convexName)) problems.push(`${t.name}: Convex table name ${t.convexName} is reserved or not an identifier`);
    const fields = [...t.columns.map((c) => c.name), ...t.references.map((r) => r.field), ...t.derived.map((d) => d.field)];
    for (const f of fields) if (!IDENT.test(f)) problems.push(`${t.name}: field ${f} is not a legal Convex field name`);
    if (fields.includes(VERSION_FIELD)) problems.push(`${t.name}: ${VERSION_FIELD} is reserved for the row version`);
    const indexes = new Map<string, string>([
      [PK_INDEX, t.primaryKey.join(",")],
      [VERSION_INDEX, VERSION_FIELD],
    ]);
    for (const r of t.references) {
      const name = indexFor(t, r.column);
      const fields = name === PK_INDEX ? t.primaryKey.join(",") : r.column;
      if ((indexes.get(name) ?? fields) !== fields) problems.push(`${t.name}: index ${name} would be ambiguous`);
      indexes.set(name, fields);
    }
  }
  if (problems.length > 0) throw new Pg2ConvexError("CONFIG_INVALID", `invalid Convex names:\n  - ${problems.join("\n  - ")}`, { context: { problems } });
}
