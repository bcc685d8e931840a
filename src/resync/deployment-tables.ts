// Start-up check: the Convex deployment mirrors every table the bridge is about to stream. Without it the first
// change of a table the deployed functions do not know stops the stream (UNKNOWN_TABLE) long after start.
import type { TableSet } from "../definitions/types";
import type { MirrorReader } from "../convex-client/mirror-reader";
import { Pg2ConvexError } from "../errors";

export async function assertDeploymentTables(reader: MirrorReader, tables: TableSet): Promise<void> {
  const missing: string[] = [];
  for (const t of tables) {
    try {
      await reader.client.query("getRows", { table: t.name, cursor: null, numItems: 1 }, { context: { table: t.name } });
    } catch (e) {
      if (!/is not mirrored by this deployment/.test(e instanceof Error ? e.message : String(e))) throw e;
      missing.push(t.name);
    }
  }
  if (missing.length === 0) return;
  throw new Pg2ConvexError("UNKNOWN_TABLE", `the Convex deployment does not mirror ${missing.map((m) => JSON.stringify(m)).join(", ")}: its functions were built from other table definitions`, {
    context: { tables: missing },
    fix: "add the table(s) to the definitions your convex/ folder is built from and deploy it (`npx convex deploy`) before starting pg2convex",
  });
}
