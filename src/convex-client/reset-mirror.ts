// Erases a deployment's mirror through the guarded resetMirror mutation (mirrored tables and pg2convex's
// bookkeeping for every slot, identity included), one bounded chunk per call until it reports done. A chunk
// retried after a lost answer is harmless: it deletes whatever is left.
import { RESET_CONFIRMATION } from "../mirror-functions/functions";
import { createConvexClient, type ConvexClientOptions } from "./client";

export async function resetConvexMirror(opts: ConvexClientOptions): Promise<number> {
  const client = createConvexClient(opts);
  let deleted = 0;
  for (;;) {
    const r = await client.mutation<{ deleted: number; isDone: boolean }>("resetMirror", { confirm: RESET_CONFIRMATION }, { context: { deleted } });
    deleted += r.deleted;
    if (r.isDone) return deleted;
  }
}
