// `run` as leader or standby: wait for the slot's leadership lock (lease.ts), stream while holding it, and go back
// to standby when deposed. Invariants:
//  - the mirror is started only while this process holds the lock, with that Leadership (writes gated, epoch
//    claimed in Convex, slot taken over from a previous instance's walsender: pipeline/mirror.ts);
//  - deposed (LEADERSHIP_LOST: the lock's session ended; LEADER_FENCED: Convex saw a newer epoch) is the only
//    outcome that returns to standby; the lock is released first, so another process can lead. Any other
//    failure ends `run` as before; a stop (signal) ends it too, deposed or not.
import { Pg2ConvexError } from "../errors";
import type { Logger } from "../log";
import type { MirrorHandle } from "../pipeline/mirror";
import type { OutageTracker } from "../observability/outage";
import { acquireLeadership, type Leadership } from "./lease";

export type Role = "leader" | "standby";

export interface LeadLoopOptions<M extends MirrorHandle = MirrorHandle> {
  connectionString: string;
  slot: string;
  leaseMs: number;
  logger: Logger;
  /** Starts the mirror as the holder of `leadership`. */
  start: (leadership: Leadership) => Promise<M>;
  /** The running mirror (undefined while standing by), for the stop signal handler. */
  onMirror: (mirror: M | undefined) => void;
  onRole: (role: Role) => void;
  /** True once a stop was requested: a deposed leader then exits instead of standing by again. */
  stopping: () => boolean;
  pollMs?: number;
  /** PostgreSQL outages, shared with the supervisor (lease.ts says who ends one). */
  outages?: OutageTracker;
  maxOutageMs?: number;
}

export function isDeposed(e: unknown): boolean {
  return e instanceof Pg2ConvexError && (e.code === "LEADERSHIP_LOST" || e.code === "LEADER_FENCED");
}

/** Resolves with the mirror once it stopped on request; rejects with the failure that ended it. */
export async function leadAndStream<M extends MirrorHandle = MirrorHandle>(opts: LeadLoopOptions<M>): Promise<M> {
  for (;;) {
    opts.onRole("standby");
    const leadership = await acquireLeadership({
      connectionString: opts.connectionString,
      slot: opts.slot,
      logger: opts.logger,
      leaseMs: opts.leaseMs,
      pollMs: opts.pollMs,
      ...(opts.outages ? { outages: opts.outages } : {}),
      ...(opts.maxOutageMs === undefined ? {} : { maxOutageMs: opts.maxOutageMs }),
    });
    opts.onRole("leader");
    try {
      const mirror = await opts.start(leadership);
      opts.onMirror(mirror);
      await mirror.done;
      return mirror;
    } catch (e) {
      opts.onMirror(undefined);
      if (!isDeposed(e) || opts.stopping()) throw e;
      // The lock went with its connection: PostgreSQL is down (restarting) until a session comes back, even
      // when the supervisor had not noticed yet; so one outage is logged and ended whichever loop sees it.
      if ((e as Pg2ConvexError).context.connectionLost === true) opts.outages?.failed("postgres", e as Pg2ConvexError);
      opts.logger.warn({ err: (e as Pg2ConvexError).toJSON() }, "deposed as the slot's leader: standing by again");
    } finally {
      await leadership.release();
    }
  }
}
