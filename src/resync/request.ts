// Recording a re-sync request in Convex (requestResync), for the CLI and for `run` (newly added tables).
import { randomUUID } from "node:crypto";
import type { MirrorReader } from "../convex-client/mirror-reader";
import type { ResyncProgress } from "../mirror-functions/wire/protocol";

/** The table's current re-sync: this new request, or the one already under way (asking twice is harmless). */
export async function requestResync(reader: MirrorReader, slot: string, table: string): Promise<{ entry: ResyncProgress; created: boolean }> {
  const id = randomUUID();
  const entry = await reader.client.mutation<ResyncProgress>("requestResync", { slot, table, id }, { context: { table } });
  return { entry, created: entry.id === id };
}
