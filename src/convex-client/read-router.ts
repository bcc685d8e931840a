// The app's server-side helper: "read table T from Convex for this caller?", answered synchronously from a
// copy of the read flags that it keeps fresh (polling the public readFlags query every `pollMs`, default
// 500 ms, so a flip or a rollback reaches it within a second). Invariant: when the copy is older than the
// mirror's own validity (the sidecar's heartbeat plus its stale limit) or cannot be refreshed, the answer is
// "postgres" — a dead sidecar, a dead Convex or a dead helper can never leave reads on a stale mirror.
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { bucketOf, type Source } from "../mirror-functions/control/rules";
import type { FlagState } from "../mirror-functions/control/flags";

export interface ReadRouterOptions {
  /** The Convex deployment URL (no key needed: readFlags is public and returns no mirrored data). */
  url: string;
  tables: readonly string[];
  /** Module holding the mirror functions (default "mirror"). */
  module?: string;
  pollMs?: number;
}

export interface ReadRouter {
  /** "convex" or "postgres" for `caller` (a user id, a tenant, a request key: stable per caller). */
  source(table: string, caller: string): Source;
  /** Resolves once the first flags arrived (until then every answer is "postgres"). */
  ready(): Promise<void>;
  close(): void;
}

export function createReadRouter(opts: ReadRouterOptions): ReadRouter {
  const http = new ConvexHttpClient(opts.url);
  const ref = makeFunctionReference<"query">(`${opts.module ?? "mirror"}:readFlags`);
  let flags = new Map<string, FlagState>();
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let first: () => void = () => undefined;
  const ready = new Promise<void>((r) => (first = r));
  const poll = async () => {
    try {
      const list = (await http.query(ref, { tables: [...opts.tables] })) as FlagState[];
      flags = new Map(list.map((f) => [f.table, f]));
      first();
    } catch {
      // Keep the old copy: its validUntil bounds how long it is trusted.
    }
    if (!closed) timer = setTimeout(poll, opts.pollMs ?? 500);
  };
  void poll();
  return {
    source(table, caller) {
      const f = flags.get(table);
      if (!f || f.percent <= 0 || f.unfit.length > 0 || Date.now() > f.validUntil) return "postgres";
      return bucketOf(table, caller) < f.percent ? "convex" : "postgres";
    },
    ready: () => ready,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
