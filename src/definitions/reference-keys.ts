// How a reference's child column value and its parent's key value meet in Convex. The mirror finds a parent by
// querying its by_pk index with the child's value and the children by querying the child's by_<column> index with
// the parent's key, and Convex only finds values of the same type equal (1 and 1n never are). PostgreSQL lets a
// foreign key join different types, and the decoder keeps each column's own type (int2/int4 → number, int8 →
// bigint), so a reference between integer types converts the value to the other side's type before the look-up.
// Invariants:
//  - conversions are exact: a value the other side's type cannot hold (an int8 outside the int4 range) maps to
//    null, "no row there can be equal", never to a rounded or truncated value;
//  - stored values are never converted: a row keeps its own column as decoded; only look-ups use these;
//  - any other pair of different types is refused by validateDefinitions (referenceKeyProblem), since an exact
//    conversion is not known for it.
// Pure, no Node imports: the Convex functions (src/mirror-functions) use it.
import type { Value } from "convex/values";
import type { ColumnDef, PgScalarType, ReferenceDef, TableDef } from "./types";

/** A value of one side as the other side stores it; null when no value of that side can equal it. */
export type KeyCast = (value: Value) => Value | null;

export interface ReferenceKeys {
  /** The child's column value as the parent's key (null: no parent can have it, or the column is null). */
  readonly toParent: KeyCast;
  /** The parent's key as the child's column value (null: no child can hold it). */
  readonly toChild: KeyCast;
}

const same: KeyCast = (v) => v;
export const IDENTITY: ReferenceKeys = { toParent: same, toChild: same };

/** Integer types by the range they hold; int8's values are bigints, the others' numbers. */
const RANGE: Partial<Record<PgScalarType, readonly [bigint, bigint]>> = {
  int2: [-(2n ** 15n), 2n ** 15n - 1n],
  int4: [-(2n ** 31n), 2n ** 31n - 1n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** An integer of any representation as a value of `type` (number for int2/int4, bigint for int8), if it holds it. */
function integerAs(type: PgScalarType): KeyCast {
  const [lo, hi] = RANGE[type]!;
  return (v) => {
    let n: bigint;
    if (typeof v === "bigint") n = v;
    else if (typeof v === "number" && Number.isSafeInteger(v)) n = BigInt(v);
    else return null;
    if (n < lo || n > hi) return null;
    return type === "int8" ? n : Number(n);
  };
}

function columnOf(t: TableDef, name: string | undefined): ColumnDef | undefined {
  return name === undefined ? undefined : t.columns.find((c) => c.name === name);
}

/** What decides how a column's values are stored in Convex. */
export type KeyColumn = Pick<ColumnDef, "type" | "array" | "pgType">;

export const describeKeyType = (c: KeyColumn) => `${c.type === "pgtext" ? (c.pgType ?? "pgtext") : c.type}${c.array ? "[]" : ""}`;

/** True when a child column of type `c` can be matched exactly with a parent key of type `p`. */
export function keyTypesMatch(c: KeyColumn, p: KeyColumn): boolean {
  if (!c.array && !p.array && RANGE[c.type] && RANGE[p.type]) return true;
  return c.type === p.type && !!c.array === !!p.array && (c.type !== "pgtext" || c.pgType === p.pgType);
}

/**
 * Why `child.ref.column` cannot be matched exactly with `parent`'s key, or null when it can. Integer types match
 * whatever their widths; any other pair must be the same declared type.
 */
export function referenceKeyProblem(child: TableDef, ref: ReferenceDef, parent: TableDef): string | null {
  const c = columnOf(child, ref.column);
  const p = columnOf(parent, parent.primaryKey.length === 1 ? parent.primaryKey[0] : undefined);
  if (!c || !p) return null; // reported by the other definition checks
  if (keyTypesMatch(c, p)) return null;
  const describeType = describeKeyType;
  return (
    `${child.name}.${ref.column} (${describeType(c)}) references ${parent.name}.${p.name} (${describeType(p)}): the mirror finds a parent by its key's ` +
    `Convex value, and no exact conversion between ${describeType(c)} and ${describeType(p)} values is known, so the reference id, lookups and count/sum ` +
    `fields would never match. Fix: give both columns the same type in PostgreSQL (ALTER TABLE ${child.name} ALTER COLUMN ${ref.column} TYPE <the type of ${parent.name}.${p.name}>) ` +
    `and declare it so, or remove ${ref.column} from the references of ${child.name} (it then mirrors as a raw key)`
  );
}

/** The conversions of one reference (identity unless the two sides are integers of different representations). */
export function referenceKeys(child: TableDef, ref: ReferenceDef, parent: TableDef): ReferenceKeys {
  const c = columnOf(child, ref.column);
  const p = columnOf(parent, parent.primaryKey[0]);
  if (!c || !p || c.array || p.array || !RANGE[c.type] || !RANGE[p.type]) return IDENTITY;
  if ((c.type === "int8") === (p.type === "int8")) return IDENTITY;
  return { toParent: integerAs(p.type), toChild: integerAs(c.type) };
}
