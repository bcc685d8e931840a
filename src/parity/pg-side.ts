// PostgreSQL side of parity: rows read as `col::text` and decoded with decodeText (the type mapping the
// backfill and the stream use), hashed with the shared row hash. Keys are compared in Convex's order
// (keys.ts), ranges are read in keyset pages, never a whole table at once.
import type pg from "pg";
import type { Value } from "convex/values";
import { decodeText } from "../decode";
import { comparedColumns } from "../mirror-functions/wire/parity-protocol";
import { hashRow, type Hash64 } from "../mirror-functions/parity/row-hash";
import { qualified, quoteIdent } from "../postgres";
import type { TableDef } from "../definitions/types";
import { keyString, type Key } from "../model/key";
import { keyColumns, keySql, type KeyRange } from "./keys";

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
  private readonly select: string;
  private readonly order: string;

  private constructor(
    readonly client: pg.ClientBase,
    readonly def: TableDef,
    /** format_type of each key column, for casting parameters. */
    private readonly keyTypes: string[],
  ) {
    this.keyCols = keyColumns(def);
    this.compared = comparedColumns(def);
    const cols = def.columns.map((c, i) => `t.${quoteIdent(c.name)}::text AS pg2c_c${i}`);
    const keys = this.keyCols.map((c, i) => `t.${quoteIdent(c.name)}::text AS pg2c_k${i}`);
    this.select = [...cols, ...keys].join(", ");
    this.order = this.keyCols.map((c) => keySql(c, `t.${quoteIdent(c.name)}`)).join(", ");
  }

  static async open(client: pg.ClientBase, def: TableDef): Promise<PgTable> {
    const { rows } = await client.query("SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0", [qualified(def)]);
    const types = new Map((rows as Array<{ name: string; type: string }>).map((r) => [r.name, r.type]));
    return new PgTable(client, def, def.primaryKey.map((k) => types.get(k) ?? "text"));
  }

  private tuple(first: number, prefix = ""): string {
    return `(${this.keyCols.map((c, i) => keySql(c, `${prefix}$${first + i}::${this.keyTypes[i]}`)).join(", ")})`;
  }

  /** Every row of `range` in key order, `pageRows` per query. */
  async *scan(range: KeyRange, pageRows = 5_000): AsyncGenerator<PgRow> {
    let after: string[] | null = null;
    for (;;) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (op: string, text: string[]) => {
        where.push(`(${this.order}) ${op} ${this.tuple(params.length + 1)}`);
        params.push(...text);
      };
      if (range.lo) add(">=", required(range.lo.t));
      if (range.hi) add("<", required(range.hi.t));
      if (after) add(">", after);
      params.push(pageRows);
      const sql = `SELECT ${this.select} FROM ${qualified(this.def)} t ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${this.order} LIMIT $${params.length}`;
      const { rows } = await this.client.query(sql, params);
      for (const r of rows) yield this.toRow(r);
      if (rows.length < pageRows) return;
      after = this.keyCols.map((_, i) => rows[rows.length - 1][`pg2c_k${i}`] as string);
    }
  }

  async count(): Promise<number> {
    const { rows } = await this.client.query(`SELECT count(*)::bigint AS n FROM ${qualified(this.def)}`);
    return Number(rows[0].n);
  }

  /** Up to `n` rows chosen uniformly at random (Bernoulli pre-filter on large tables). */
  async sample(n: number): Promise<PgRow[]> {
    const est = Number((await this.client.query("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = $1::regclass", [qualified(this.def)])).rows[0]?.n ?? -1);
    const pct = est > 1_000_000 ? Math.min(100, (100 * 4 * n) / est) : 100;
    const from = pct < 100 ? `${qualified(this.def)} t TABLESAMPLE BERNOULLI (${pct.toFixed(6)})` : `${qualified(this.def)} t`;
    const { rows } = await this.client.query(`SELECT ${this.select} FROM ${from} ORDER BY random() LIMIT $1`, [n]);
    return rows.map((r) => this.toRow(r));
  }

  /** For each key, the row with the next key (null at the end), in one query. */
  async successors(keys: string[][]): Promise<Array<PgRow | null>> {
    if (keys.length === 0) return [];
    const cols = this.keyCols.map((_, i) => `k${i}`);
    const unnest = this.keyCols.map((_, i) => `$${i + 1}::text[]::${this.keyTypes[i]}[]`).join(", ");
    const bound = `(${this.keyCols.map((c, i) => keySql(c, `s.k${i}`)).join(", ")})`;
    const sql = `SELECT s.pg2c_i, n.* FROM unnest(${unnest}) WITH ORDINALITY AS s(${cols.join(", ")}, pg2c_i)
      LEFT JOIN LATERAL (SELECT ${this.select} FROM ${qualified(this.def)} t WHERE (${this.order}) > ${bound} ORDER BY ${this.order} LIMIT 1) n ON true ORDER BY s.pg2c_i`;
    const { rows } = await this.client.query(sql, this.keyCols.map((_, i) => keys.map((k) => k[i])));
    return rows.map((r) => (r.pg2c_k0 === null ? null : this.toRow(r)));
  }

  /** The current rows of `keys` (absent keys are missing from the map), with their xmin. */
  async byKeys(keys: string[][]): Promise<Map<string, PgRow>> {
    const out = new Map<string, PgRow>();
    if (keys.length === 0) return out;
    const unnest = this.keyCols.map((_, i) => `$${i + 1}::text[]::${this.keyTypes[i]}[]`).join(", ");
    const tuple = `(${this.keyCols.map((c) => `t.${quoteIdent(c.name)}`).join(", ")})`;
    const sql = `SELECT ${this.select}, t.xmin::text AS pg2c_xmin FROM ${qualified(this.def)} t WHERE ${tuple} IN (SELECT * FROM unnest(${unnest}))`;
    const { rows } = await this.client.query(sql, this.keyCols.map((_, i) => keys.map((k) => k[i])));
    for (const r of rows) {
      const row = this.toRow(r);
      row.xmin = r.pg2c_xmin as string;
      out.set(row.id, row);
    }
    return out;
  }

  private toRow(r: Record<string, string | null>): PgRow {
    this.rowsRead++;
    const text = this.keyCols.map((_, i) => r[`pg2c_k${i}`] as string);
    const key = this.keyCols.map((c, i) => decodeText(c, text[i] ?? null));
    const row: Record<string, Value> = {};
    try {
      for (const [i, c] of this.def.columns.entries()) row[c.name] = decodeText(c, r[`pg2c_c${i}`] ?? null);
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
