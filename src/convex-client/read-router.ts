// The app's server-side helper: "read table T from Convex for this caller?", answered synchronously from a
// copy of the read flags that it keeps fresh (polling the public readFlags query every `pollMs`, default
// 500 ms, so a flip or a rollback reaches it within a second). Invariants:
//  - when the copy is older than the mirror's own validity (the sidecar's heartbeat plus its stale limit), or
//    was asked for more than `maxAgeMs` ago (Convex slow or unreachable, a request that hangs), the answer is
//    "postgres": a dead sidecar, a dead or slow Convex or a dead helper can never leave reads on a stale mirror,
//    and a rollback reaches the app within maxAgeMs at worst;
//  - a request that hangs never stops the polling: each poll has a time-out, and an answer older than the
//    copy already held is dropped.
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
  /** Longest a copy is trusted after it was asked for (default 2 s, at least twice pollMs). */
  maxAgeMs?: number;
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
  const pollMs = opts.pollMs ?? 500;
  const maxAgeMs = Math.max(opts.maxAgeMs ?? 2000, 2 * pollMs);
  // When the request behind `flags` was sent: the data in it is at least that recent.
  let askedAt = -Infinity;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let first: () => void = () => undefined;
  const ready = new Promise<void>((r) => (first = r));
  const poll = async () => {
    const asked = Date.now();
    let timeout: ReturnType<typeof setTimeout> | undefined;
    try {
      const answer = http.query(ref, { tables: [...opts.tables] }) as Promise<FlagState[]>;
      // A late answer (after its time-out) still counts if nothing newer arrived meanwhile.
      answer.then((list) => accept(asked, list)).catch(() => undefined);
      await Promise.race([answer, new Promise((resolve) => (timeout = setTimeout(resolve, maxAgeMs)))]);
    } catch {
      // Keep the old copy: maxAgeMs and its validUntil bound how long it is trusted.
    } finally {
      clearTimeout(timeout);
    }
    if (!closed) timer = setTimeout(poll, pollMs);
  };
  const accept = (asked: number, list: FlagState[]) => {
    if (asked <= askedAt) return;
    askedAt = asked;
    flags = new Map(list.map((f) => [f.table, f]));
    first();
  };
  void poll();
  return {
    source(table, caller) {
      const f = flags.get(table);
      const now = Date.now();
      if (!f || f.percent <= 0 || f.unfit.length > 0 || now > f.validUntil || now - askedAt > maxAgeMs) return "postgres";
      return bucketOf(table, caller) < f.percent ? "convex" : "postgres";
    },
    ready: () => ready,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
