// Shared by the control-plane commands (cutover, rollback): the --table argument, who acts, refusals.
import { userInfo, hostname } from "node:os";
import { ConvexError } from "convex/values";
import { Pg2ConvexError } from "../../errors";

export function requireTable(extra: Record<string, string | boolean | undefined>): string {
  if (typeof extra.table !== "string" || extra.table === "") throw new Pg2ConvexError("CONFIG_INVALID", "--table is required", { fix: "name the PostgreSQL table, e.g. --table story" });
  return extra.table;
}

/** Recorded with each flag change: the OS user and host, or PG2CONVEX_ACTOR (CI job, chat-ops bot). */
export function actorOf(): string {
  if (process.env.PG2CONVEX_ACTOR) return process.env.PG2CONVEX_ACTOR;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

/** A refusal thrown by the cutover (or drill) mutation (ConvexError data), or null for any other failure. */
export function controlRefusal(e: unknown, tag = "CUTOVER_REFUSED"): { message: string; unmet: string[] } | null {
  for (let c: unknown = e, i = 0; c && i < 4; c = (c as { cause?: unknown }).cause, i++) {
    const data: unknown = c instanceof ConvexError ? c.data : null;
    if (data && typeof data === "object" && (data as { pg2convex?: unknown }).pg2convex === tag) return data as { message: string; unmet: string[] };
  }
  return null;
}
