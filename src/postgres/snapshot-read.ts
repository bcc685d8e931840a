// A read-only transaction over one snapshot, for reading tables consistently across many statements (the
// backfill's keyset pages). With an exported snapshot (CREATE_REPLICATION_SLOT … EXPORT_SNAPSHOT) the reads see
// exactly the slot's consistent point; the exporting connection must stay open until this transaction has begun.
import type pg from "pg";
import { quoteLiteral } from "./ident";

export async function beginSnapshotRead(client: pg.ClientBase, exportedSnapshot?: string): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (exportedSnapshot !== undefined) await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(exportedSnapshot)}`);
}

export async function endSnapshotRead(client: pg.ClientBase): Promise<void> {
  await client.query("COMMIT");
}
