// PostgreSQL side of parity: rows read as their output functions' text (readText) and decoded with decodeText (the type mapping the
// backfill and the stream use), hashed with the shared row hash. Keys are compared in Convex's order
// (keys.ts), ranges are read in keyset pages (src/postgres/keyset.ts), never a whole table at once.
import type pg from "pg";
import type { Value } from "convex/values";
import { decodeText } from "../decode";
import { comparedColumns } from "../mirror-functions/wire/parity-protocol";
import { hashRow, type Hash64 } from "../mirror-functions/parity/row-hash";
import { countRows, KEYSET_ALIAS, keyColumnTypes, keyset, plannerRowEstimate, readText, type Keyset } from "../postgres";
import type { TableDef } from "../definitions/types";
import { keyString, type Key } from "../model/key";
import { keyColumns, type KeyRange } from "./keys";

export interface PgRow {
  key: Key;
  id: string;
  /** PostgreSQL text of the key columns (keyset cursors, look-ups). */
  text: string[];
  row: Record<string, Value>;
  hash: Hash64;
  /** The row version's xmin (look-ups only): decides "changed after the start". */
  xmin?: string;
  /** decodeText refused a value: the mirror holds a reject instead of this row. */
  undecodable?: string;
}

const UNDECODABLE: Hash64 = { hi: 0, lo: 0 };

export class PgTable {
  rowsRead = 0;
  private readonly keyCols;
  private readonly compared: string[];
  /** Text keys compare under COLLATE "C": code-point order, which is Convex's string order. */
  private readonly keyset: Keyset;

  private constructor(
    readonly client: pg.ClientBase,
    readonly def: TableDef,
    /** format_type of each key column, for casting parameters. */
    private readonly keyTypes: string[],
  ) {
    this.keyCols = keyColumns(def);
    this.compared = comparedColumns(def);
    this.keyset = keyset(def, { textKeyCollation: "C", keyTypes });
  }

  static async open(client: pg.ClientBase, def: TableDef): Promise<PgTable> {
    return new PgTable(client, def, await keyColumnTypes(client, def));
  }

  /** Every row of `range` in key order, `pageRows` per query. */
  async *scan(range: KeyRange, pageRows = 5_000): AsyncGenerator<PgRow> {
    let after: string[] | null = null;
    for (;;) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (op: ">=" | "<" | ">", text: string[]) => {
        where.push(this.keyset.compare(op, this.keyset.params(params.length + 1)));
        params.push(...text);
      };
      if (range.lo) add(">=", required(range.lo.t));
      if (range.hi) add("<", required(range.hi.t));
      if (after) add(">", after);
      params.push(pageRows);
      const rows = await readText(this.client, this.keyset.page(where, `$${params.length}`), params);
      for (const r of rows) yield this.toRow(r);
      if (rows.length < pageRows) return;
      after = this.keyset.keyText(rows[rows.length - 1]!);
    }
  }

  async count(): Promise<number> {
    return countRows(this.client, this.def);
  }

  /** Up to `n` rows chosen uniformly at random (Bernoulli pre-filter on large tables). */
  async sample(n: number): Promise<PgRow[]> {
    const est = await plannerRowEstimate(this.client, this.def);
    const pct = est > 1_000_000 ? Math.min(100, (100 * 4 * n) / est) : 100;
    const from = pct < 100 ? `${this.keyset.from} TABLESAMPLE BERNOULLI (${pct.toFixed(6)})` : this.keyset.from;
    const rows = await readText(this.client, `SELECT ${this.keyset.columns} FROM ${from} ORDER BY random() LIMIT $1`, [n]);
    return rows.map((r) => this.toRow(r));
  }

  /** For each key, the row with the next key (null at the end), in one query. */
  async successors(keys: string[][]): Promise<Array<PgRow | null>> {
    if (keys.length === 0) return [];
    const cols = this.keyCols.map((_, i) => `k${i}`);
    const unnest = this.keyCols.map((_, i) => `$${i + 1}::text[]::${this.keyTypes[i]}[]`).join(", ");
    const next = this.keyset.page(
      [
        this.keyset.compare(
          ">",
          cols.map((c) => `s.${c}`),
        ),
      ],
      "1",
    );
    const sql = `SELECT s.pg2c_i, n.* FROM unnest(${unnest}) WITH ORDINALITY AS s(${cols.join(", ")}, pg2c_i)
      LEFT JOIN LATERAL (${next}) n ON true ORDER BY s.pg2c_i`;
    const rows = await readText(
      this.client,
      sql,
      this.keyCols.map((_, i) => keys.map((k) => k[i])),
    );
    return rows.map((r) => (this.keyset.keyText(r)[0] === null ? null : this.toRow(r)));
  }

  /** The current rows of `keys` (absent keys are missing from the map), with their xmin. */
  async byKeys(keys: string[][]): Promise<Map<string, PgRow>> {
    const out = new Map<string, PgRow>();
    if (keys.length === 0) return out;
    const unnest = this.keyCols.map((_, i) => `$${i + 1}::text[]::${this.keyTypes[i]}[]`).join(", ");
    const sql = `SELECT ${this.keyset.columns}, ${KEYSET_ALIAS}.xmin::text AS pg2c_xmin FROM ${this.keyset.from} WHERE (${this.keyset.keyRefs.join(", ")}) IN (SELECT * FROM unnest(${unnest}))`;
    const rows = await readText(
      this.client,
      sql,
      this.keyCols.map((_, i) => keys.map((k) => k[i])),
    );
    for (const r of rows) {
      const row = this.toRow(r);
      row.xmin = r.pg2c_xmin as string;
      out.set(row.id, row);
    }
    return out;
  }

  private toRow(r: Record<string, string | null>): PgRow {
    this.rowsRead++;
    const text = this.keyset.keyText(r);
    const key = this.keyCols.map((c, i) => decodeText(c, text[i] ?? null));
    const row: Record<string, Value> = {};
    try {
      for (const [i, c] of this.def.columns.entries()) row[c.name] = decodeText(c, r[this.keyset.columnName(i)] ?? null);
    } catch (e) {
      return { key, id: keyString(key), text, row, hash: UNDECODABLE, undecodable: e instanceof Error ? e.message : String(e) };
    }
    return { key, id: keyString(key), text, row, hash: hashRow(row, this.compared) };
  }
}

function required(t: string[] | null): string[] {
  if (!t) throw new Error("parity: a range bound without PostgreSQL text reached a PostgreSQL query");
  return t;
}
