// Erases a deployment's mirror through the guarded resetMirror mutation (mirrored tables and pg2convex's
// bookkeeping for every slot, identity included), one bounded chunk per call until it reports done.
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { RESET_CONFIRMATION } from "../mirror-functions/functions";
import { classifyConvexError } from "./errors";

export async function resetConvexMirror(opts: { url: string; adminKey: string; module: string }): Promise<number> {
  const client = new ConvexHttpClient(opts.url, { logger: false });
  (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(opts.adminKey);
  const ref = makeFunctionReference<"mutation">(`${opts.module}:resetMirror`) as any;
  let deleted = 0;
  for (;;) {
    let r: { deleted: number; isDone: boolean };
    try {
      r = await client.mutation(ref, { confirm: RESET_CONFIRMATION });
    } catch (e) {
      throw classifyConvexError(e, { function: `${opts.module}:resetMirror`, deleted });
    }
    deleted += r.deleted;
    if (r.isDone) return deleted;
  }
}
