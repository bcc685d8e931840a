// The public readFrom query asked as an app asks it: over HTTP, without any key. Used by `pg2convex drill` to
// watch the answer the app's own Convex functions and clients get.
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import type { Source } from "../mirror-functions/control/rules";

export type ReadFromAsker = (table: string, caller: string) => Promise<{ source: Source; reason: string }>;

export function publicReadFrom(url: string, module = "mirror"): ReadFromAsker {
  const http = new ConvexHttpClient(url);
  const ref = makeFunctionReference<"query">(`${module}:readFrom`);
  return async (table, caller) => (await http.query(ref, { table, caller })) as { source: Source; reason: string };
}
