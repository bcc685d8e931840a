// Per-table checks on the relation itself: it exists as a plain table, the role can read all of it, and
// wal2json will carry the key of every UPDATE and DELETE (it silently drops them under REPLICA IDENTITY
// NOTHING, or DEFAULT without a primary key), and the declared primary key is the real row key.
import type { TableDef } from "../../definitions/types";
import { displayName, qualified, quoteIdent } from "../ident";
import type { RelationFacts } from "./catalog";
import { fail, pass, type CheckResult } from "./report";
import type { ServerFacts } from "./server";
import type { PartitionLeaf } from "../partitions";

const list = (cols: readonly string[]) => cols.map(quoteIdent).join(", ");
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function relationExists(t: TableDef, rel: RelationFacts | undefined): CheckResult {
  const s = displayName(t);
  if (!rel) return fail("table_exists", s, `table ${s} does not exist`, `create ${s} in PostgreSQL, or fix schema/name in its table definition`);
  if (rel.kind === "r") return pass("table_exists", s, "ordinary table");
  // A partitioned table mirrors as one Convex table: its partitions' rows are filed under its name.
  if (rel.kind === "p") return pass("table_exists", s, "partitioned table (its partitions mirror into it)");
  return fail("table_exists", s, `${s} is not an ordinary or partitioned table (relkind ${rel.kind})`, `mirror tables only: remove ${t.name} from the table definitions`);
}

/** Replica identity is per partition: each leaf must carry the key of its updates and deletes. */
export function leafReplicaIdentity(t: TableDef, leaves: readonly PartitionLeaf[]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const leaf of leaves) {
    const s = `${leaf.schema}.${leaf.name}`;
    const q = `${quoteIdent(leaf.schema)}.${quoteIdent(leaf.name)}`;
    if (leaf.replicaIdentity === "n") out.push(fail("replica_identity", s, `partition ${s} of ${displayName(t)} has REPLICA IDENTITY NOTHING: wal2json silently drops its updates and deletes`, `ALTER TABLE ${q} REPLICA IDENTITY DEFAULT;`));
    else if (leaf.replicaIdentity === "d" && !leaf.hasPrimaryKey) out.push(fail("replica_identity", s, `partition ${s} of ${displayName(t)} has no primary key and REPLICA IDENTITY DEFAULT`, `ALTER TABLE ${q} REPLICA IDENTITY FULL;`));
  }
  return out.length > 0 ? out : [pass("replica_identity", displayName(t), `${leaves.length} partition(s) carry their keys`)];
}

export function relationAccess(t: TableDef, rel: RelationFacts, f: ServerFacts): CheckResult[] {
  const s = displayName(t);
  const out: CheckResult[] = [];
  out.push(rel.canSelect ? pass("select_privilege", s, `role ${f.role} can SELECT`) : fail("select_privilege", s, `role ${f.role} cannot SELECT ${s} (needed for the backfill)`, `GRANT SELECT ON ${qualified(t)} TO ${quoteIdent(f.role)};`));
  // Row-level security would hide rows from the backfill (logical decoding itself ignores it).
  const exempt = f.superuser || f.bypassRls || (rel.owned && !rel.forceRowSecurity);
  if (rel.rowSecurity && !exempt) {
    out.push(fail("row_security", s, `row-level security on ${s} would hide rows from the backfill`, `as a superuser: ALTER ROLE ${quoteIdent(f.role)} BYPASSRLS;`));
  }
  return out;
}

export function replicaIdentity(t: TableDef, rel: RelationFacts): CheckResult {
  const s = displayName(t);
  const pk = rel.indexes.find((i) => i.primary);
  const fixNoKey = `ALTER TABLE ${qualified(t)} ADD PRIMARY KEY (${list(t.primaryKey)}); or ALTER TABLE ${qualified(t)} REPLICA IDENTITY FULL;`;
  switch (rel.replicaIdentity) {
    case "f":
      return pass("replica_identity", s, "REPLICA IDENTITY FULL");
    case "d":
      return pk
        ? pass("replica_identity", s, `REPLICA IDENTITY DEFAULT (primary key ${pk.columns.join(", ")})`)
        : fail("replica_identity", s, `${s} has no primary key and REPLICA IDENTITY DEFAULT: wal2json silently drops its updates and deletes`, fixNoKey);
    case "n":
      return fail("replica_identity", s, `${s} has REPLICA IDENTITY NOTHING: wal2json silently drops its updates and deletes`, pk ? `ALTER TABLE ${qualified(t)} REPLICA IDENTITY DEFAULT;` : fixNoKey);
    default: {
      const idx = rel.indexes.find((i) => i.replicaIdentity);
      if (!idx) return fail("replica_identity", s, `${s} has REPLICA IDENTITY USING INDEX but the index is gone: wal2json silently drops its updates and deletes`, `ALTER TABLE ${qualified(t)} REPLICA IDENTITY FULL;`);
      // Deletes carry only the identity columns; the mirror finds rows by the declared primary key.
      const missing = t.primaryKey.filter((c) => !idx.columns.includes(c));
      return missing.length === 0
        ? pass("replica_identity", s, `REPLICA IDENTITY USING INDEX ${idx.name}`)
        : fail("replica_identity", s, `replica identity index ${idx.name} (${idx.columns.join(", ")}) lacks primary-key column(s) ${missing.join(", ")}, so deletes would not name the row`, `ALTER TABLE ${qualified(t)} REPLICA IDENTITY FULL;`);
    }
  }
}

export function primaryKey(t: TableDef, rel: RelationFacts): CheckResult {
  const s = displayName(t);
  const declared = t.primaryKey.join(", ");
  const pk = rel.indexes.find((i) => i.primary);
  if (pk) {
    // Compared as sets: the mirror builds keys in declared order, so column order does not matter.
    return sameSet(pk.columns, t.primaryKey)
      ? pass("primary_key", s, `primary key (${declared})`)
      : fail("primary_key", s, `declared primary key (${declared}) differs from the real one (${pk.columns.join(", ")})`, `set primaryKey: ${JSON.stringify(pk.columns)} in the definition of ${t.name}`);
  }
  // Without a PRIMARY KEY, the declared key must still be unique and never NULL, or rows would merge.
  const notNull = t.primaryKey.every((c) => rel.columns.get(c)?.notNull === true);
  const unique = rel.indexes.find((i) => i.unique && !i.partial && sameSet(i.columns, t.primaryKey));
  if (unique && notNull) return pass("primary_key", s, `no PRIMARY KEY; declared key (${declared}) is unique index ${unique.name} over NOT NULL columns`);
  return fail("primary_key", s, `${s} has no primary key, and (${declared}) is not a unique NOT NULL key: rows sharing it would collapse into one document`, `ALTER TABLE ${qualified(t)} ADD PRIMARY KEY (${list(t.primaryKey)});`);
}
