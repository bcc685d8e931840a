// Schema drift seen in one change record: its columns differ from the definitions (a column added or dropped in
// PostgreSQL, a type changed, an enum label the definitions do not list). Invariant: the decoder never drops such a
// value silently and never stops on it: the known columns still decode, and each difference becomes a DriftNote
// carrying the raw value, which the pipeline records in Convex (pg2c_drift) before the transaction is applied.
import { stringify } from "lossless-json";
import type { Key } from "../model/key";
import type { Lsn } from "../model/lsn";

export type DriftKind = "column_added" | "column_dropped" | "type_changed" | "value_undecodable" | "catalog";

export interface DriftNote {
  /** PostgreSQL name of the mirrored table (the partitioned parent for a leaf's row). */
  readonly table: string;
  readonly column: string;
  readonly kind: DriftKind;
  readonly detail: string;
  /** Key of the row, for row-level drift. */
  readonly key?: Key;
  /** wal2json's raw value token as JSON text (lossless), when the record carried one. */
  readonly raw?: string;
  readonly lsn?: Lsn;
}

export type DriftListener = (note: DriftNote) => void;

export const rawText = (value: unknown): string => stringify(value) ?? "null";

/**
 * Types whose values are never TOASTed, so wal2json always sends them in an UPDATE: one missing from an UPDATE was
 * dropped, not left out as unchanged.
 */
export const NEVER_TOASTED = new Set(["int2", "int4", "int8", "float4", "float8", "bool", "timestamptz", "timestamp", "date", "uuid", "enum"]);

/** format_type text compared without schema qualification or quoting (the replication session's search_path may differ). */
export function sameTypeName(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/"/g, "").replace(/^[^.[(]+\.(?=[^.])/, "");
  return norm(a) === norm(b);
}
