// A source database with the reference schema and a wal2json slot, read through SQL the way the stage sees
// it: one format-version-2 record per message, with its LSN.
import { readFileSync } from "node:fs";
import { parseLsn, type Lsn } from "../../src/model/lsn";
import type { ColumnDef, PgScalarType, TableDef } from "../../src/definitions/types";
import { createTestDatabase, type TestDatabase } from "../support/pg";

export interface SourceDb extends TestDatabase {
  /** Drains the slot: every record written since the last call. */
  changes(): Promise<{ lsn: Lsn; text: string }[]>;
  sql(text: string, params?: unknown[]): Promise<any[]>;
}

const schemaSql = readFileSync(new URL("../../sql/reference-schema.sql", import.meta.url), "utf8");

export async function createSourceDb(prefix: string): Promise<SourceDb> {
  const db = await createTestDatabase(prefix);
  // What the source and backfill connections set; wal2json formats values with these settings too.
  await db.client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET bytea_output = 'hex'; SET extra_float_digits = 1");
  await db.client.query(schemaSql);
  const slot = `${prefix}_slot`;
  await db.client.query("SELECT pg_create_logical_replication_slot($1, 'wal2json')", [slot]);
  const sql = async (text: string, params: unknown[] = []) => (await db.client.query(text, params)).rows;
  return {
    ...db,
    sql,
    async changes() {
      const rows = await sql(
        `SELECT lsn::text, data FROM pg_logical_slot_get_changes($1, NULL, NULL,
           'format-version', '2', 'include-xids', '1', 'include-timestamp', '1', 'include-lsn', '1')`,
        [slot],
      );
      return rows.map((r) => ({ lsn: parseLsn(r.lsn), text: r.data as string }));
    },
  };
}

/** TableDef literals for scratch tables (the contract type itself, independent of the builder helpers). */
export const column = (name: string, type: PgScalarType, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, type, nullable: true, ...extra });

export const tableDef = (name: string, primaryKey: string[], columns: ColumnDef[]): TableDef => ({
  schema: "public",
  name,
  convexName: name,
  primaryKey,
  columns,
  references: [],
  derived: [],
  excluded: [],
});
