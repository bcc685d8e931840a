// Keyset paging of rows as text: the one SELECT shape for reading a table's rows (the backfill copy, parity's
// scans and look-ups, the test oracle). Invariants:
//  - every column is read as its type's output function prints it — the text wal2json prints — decoded on our
//    side by decodeText. Not `col::text`: that cast is not the output function for every type (char(n) loses its
//    padding, inet gains a /32 mask, bool reads "true"). The columns are selected as they are and the query runs
//    with RAW_TEXT, so node-postgres hands back the server's text unparsed (readText runs it so);
//  - ORDER BY and the cursor comparison use the key columns themselves, qualified with the table alias: an
//    unqualified `ORDER BY "id"` would sort by the text output column of that name (`'10' < '9'`), and the
//    keyset pages would skip rows;
//  - with `textKeyCollation: "C"` text key columns order and compare by code point, which is how Convex orders
//    strings (UTF-8 bytes); without it they use the column's own collation, as PostgreSQL would;
//  - each key column's text also comes back as pg2c_k<i>: the cursor of the next page, passed back as parameters.
import type pg from "pg";
import type { CustomTypesConfig } from "pg";
import type { ColumnDef, TableDef } from "../definitions/types";
import { qualified, quoteIdent } from "./ident";

/** node-postgres type parsers that return every value as the server's text (the type's output function). */
export const RAW_TEXT: CustomTypesConfig = { getTypeParser: () => (text: string) => text };

/** Runs a keyset SELECT (or any query whose values must stay PostgreSQL's text): every value a string or null. */
export async function readText(client: pg.ClientBase, text: string, values: unknown[] = []): Promise<Array<Record<string, string | null>>> {
  return (await client.query({ text, values, types: RAW_TEXT })).rows as Array<Record<string, string | null>>;
}

/** The table's alias in every keyset SELECT. */
export const KEYSET_ALIAS = "src";

export interface KeysetOptions {
  /** Result name of each column's text: its own name, or pg2c_c<position> (never clashes with other outputs). Default: position. */
  readonly columnNames?: "name" | "position";
  /** "C": text keys order and compare by code point. Default: the key column's own collation. */
  readonly textKeyCollation?: "C";
  /** A cast for each key parameter (keyColumnTypes() gives them). Default: untyped, inferred from the comparison. */
  readonly keyTypes?: readonly string[];
}

export interface Keyset {
  /** The select list: every column, then each key column as pg2c_k<i> (read them with readText / RAW_TEXT). */
  readonly columns: string;
  /** The FROM item: the table under KEYSET_ALIAS. */
  readonly from: string;
  /** The key columns, qualified and uncollated (for equality: `(…) IN (…)`). */
  readonly keyRefs: readonly string[];
  /** The ORDER BY list: the key columns, collated as configured. */
  readonly order: string;
  /** Key parameters $first, $first+1, …, cast as configured. */
  params(first: number): string[];
  /** `(key) op (values)`: values are one SQL expression per key column (params(), or another relation's columns). */
  compare(op: ">" | ">=" | "<", values: readonly string[]): string;
  /** Rows matching every condition, in key order; `limit` is SQL (a parameter or a number), null for all rows. */
  page(where: readonly string[], limit: string | null): string;
  /** Result name of column `i`'s text. */
  columnName(i: number): string;
  /** The key's text in a result row: the cursor after that row. */
  keyText(row: Record<string, unknown>): string[];
}

export function keyset(table: TableDef, opts: KeysetOptions = {}): Keyset {
  const ref = (column: string) => `${KEYSET_ALIAS}.${quoteIdent(column)}`;
  const keyCols: ColumnDef[] = table.primaryKey.map((k) => table.columns.find((c) => c.name === k)!);
  const collate = (c: ColumnDef, expr: string) => (opts.textKeyCollation && c.type === "text" ? `${expr} COLLATE "${opts.textKeyCollation}"` : expr);
  const columnName = (i: number) => (opts.columnNames === "name" ? table.columns[i]!.name : `pg2c_c${i}`);
  const keyName = (i: number) => `pg2c_k${i}`;
  const columns = [...table.columns.map((c, i) => `${ref(c.name)} AS ${quoteIdent(columnName(i))}`), ...keyCols.map((c, i) => `${ref(c.name)} AS ${quoteIdent(keyName(i))}`)].join(", ");
  const from = `${qualified(table)} AS ${KEYSET_ALIAS}`;
  const order = keyCols.map((c) => collate(c, ref(c.name))).join(", ");
  return {
    columns,
    from,
    keyRefs: keyCols.map((c) => ref(c.name)),
    order,
    params: (first) => keyCols.map((_, i) => `$${first + i}${opts.keyTypes ? `::${opts.keyTypes[i]}` : ""}`),
    compare: (op, values) => `(${order}) ${op} (${keyCols.map((c, i) => collate(c, values[i]!)).join(", ")})`,
    page: (where, limit) => `SELECT ${columns} FROM ${from}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order}${limit === null ? "" : ` LIMIT ${limit}`}`,
    columnName,
    keyText: (row) => keyCols.map((_, i) => row[keyName(i)] as string),
  };
}

/** format_type of each key column (text where the catalog has no such column), for casting key parameters. */
export async function keyColumnTypes(client: pg.ClientBase, table: TableDef): Promise<string[]> {
  const { rows } = await client.query("SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0", [qualified(table)]);
  const types = new Map((rows as Array<{ name: string; type: string }>).map((r) => [r.name, r.type]));
  return table.primaryKey.map((k) => types.get(k) ?? "text");
}
