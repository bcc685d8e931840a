// Leadership of one slot among any number of `pg2convex run` processes: the slot's session-level advisory lock
// (src/postgres/advisory-lock.ts), held on a connection of its own. Invariants:
//  - a process streams only while it holds the lock: standbys poll pg_try_advisory_lock every pollMs on their
//    own connection, so one takes over about a second after the holder's session ends;
//  - the holder pings its session every leaseMs/4 (checking it still holds the lock) and declares the lock lost
//    when a ping fails or takes longer than leaseMs/2, or when the connection reports an error. The server ends a
//    session idle for leaseMs (idle_session_timeout), so a stalled or cut-off holder gives up (at most
//    0.75 × leaseMs after its last good ping) before the server can hand the lock to another process; keepalives
//    end the session of a vanished peer. Whoever notices first, the holder stops writing at `lost`, and Convex
//    refuses whatever it still sends once the next leader claimed its epoch (mirror-functions/apply/leader-epoch.ts);
//  - a lost lock is never re-acquired by the same Leadership: the process goes back to standby for a new one;
//  - `signal` aborts (reason: the LEADERSHIP_LOST error) exactly when `lost` resolves or the lock is released,
//    so whatever the leader is waiting on (a Convex call retrying through an outage) gives up at once.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { Pg2ConvexError } from "../errors";
import type { Logger } from "../log";
import { connectPg } from "../postgres/connect";
import { advisoryLockHolder, holdsAdvisoryLock, setLeaseSettings, slotLockKey, tryAdvisoryLock, type LockKey } from "../postgres/advisory-lock";
import { errorMessage, sleep } from "../postgres/pg-error";
import { outageTooLong, type OutageTracker } from "../observability/outage";
import { withTimeout } from "./timeout";

export interface LeadershipOptions {
  connectionString: string;
  slot: string;
  logger: Logger;
  /** How long a holder that stopped answering keeps the lock (config leaderLease). */
  leaseMs: number;
  /** Standby poll period (default 1 s). */
  pollMs?: number;
  /** Told once per wait that another process holds the lock (with its backend pid when visible). */
  onStandby?: (holderPid: number | null) => void;
  /** Aborts the wait (a stop signal during standby): acquire rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The process's PostgreSQL outage record, shared with the supervisor: a lock session that cannot connect is
   * PostgreSQL being down (a restart also ends the lock's session, so the process comes back through here, not
   * through the supervisor's reconnect). A standby that reaches PostgreSQL again ends the outage; a new leader
   * leaves that to its supervisor, once its stream has stayed up.
   */
  outages?: OutageTracker;
  /** Give up once PostgreSQL has been failing for longer than this (--max-outage; default: never). */
  maxOutageMs?: number;
}

export interface Leadership {
  /** This process as claimLeadership records it: host, pid and a random instance id. */
  readonly holder: string;
  held(): boolean;
  /** Throws LEADERSHIP_LOST unless the lock is still held. */
  assertHeld(): void;
  /** Resolves (never rejects) with the LEADERSHIP_LOST error once the lock is lost. */
  readonly lost: Promise<Pg2ConvexError>;
  /** Aborted, with the LEADERSHIP_LOST error as its reason, once the lock is lost or released. */
  readonly signal: AbortSignal;
  /** Releases the lock (ends its session). */
  release(): Promise<void>;
}

export const INSTANCE = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** Waits (as a standby) until this process holds the slot's lock. */
export async function acquireLeadership(opts: LeadershipOptions): Promise<Leadership> {
  const key = slotLockKey(opts.slot);
  const log = opts.logger.child({ stage: "leadership", slot: opts.slot });
  let toldStandby = false;
  let connectProblem: string | null = null;
  for (;;) {
    opts.signal?.throwIfAborted();
    let lostWhileWaiting: Pg2ConvexError | null = null;
    let client: pg.Client;
    try {
      client = await connectPg(opts.connectionString, { applicationName: `pg2convex leader ${opts.slot}`.slice(0, 63), keepAliveMs: 1000, onLost: (e) => (lostWhileWaiting ??= e) });
      await setLeaseSettings(client, opts.leaseMs);
    } catch (e) {
      if (e instanceof Pg2ConvexError && !e.retryable) throw e;
      const err = e instanceof Pg2ConvexError ? e : new Pg2ConvexError("PG_CONNECT", `cannot connect to PostgreSQL for the leadership lock: ${errorMessage(e)}`, { retryable: true, context: { slot: opts.slot }, cause: e });
      if (opts.outages) {
        opts.outages.failed("postgres", err);
        const downMs = opts.outages.downForMs("postgres");
        if (opts.maxOutageMs !== undefined && downMs >= opts.maxOutageMs) throw outageTooLong(err, downMs);
      } else if (connectProblem === null) log.warn({ err: errorMessage(e) }, "cannot reach PostgreSQL for the leadership lock; retrying");
      connectProblem = errorMessage(e);
      await sleep(Math.min(5000, (opts.pollMs ?? 1000) * 2));
      continue;
    }
    if (connectProblem !== null && !opts.outages) log.info("PostgreSQL reachable again for the leadership lock");
    connectProblem = null;
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        if (lostWhileWaiting) throw lostWhileWaiting;
        if (await tryAdvisoryLock(client, key)) {
          log.info({ holder: INSTANCE }, "won the slot's leadership lock");
          return holdLease(client, key, opts, log, () => lostWhileWaiting);
        }
        opts.outages?.recovered("postgres");
        if (!toldStandby) {
          toldStandby = true;
          const pid = await advisoryLockHolder(client, key).catch(() => null);
          log.info({ holderPid: pid }, "another pg2convex run leads this slot: standing by");
          opts.onStandby?.(pid);
        }
        await sleep(opts.pollMs ?? 1000);
      }
    } catch (e) {
      await client.end().catch(() => undefined);
      if (opts.signal?.aborted) throw opts.signal.reason;
      log.warn({ err: errorMessage(e) }, "the standby's lock session ended; reconnecting");
    }
  }
}

function holdLease(client: pg.Client, key: LockKey, opts: LeadershipOptions, log: Logger, lostBefore: () => Pg2ConvexError | null): Leadership {
  let lostError: Pg2ConvexError | null = null;
  let released = false;
  let resolveLost!: (e: Pg2ConvexError) => void;
  const lost = new Promise<Pg2ConvexError>((r) => (resolveLost = r));
  const aborter = new AbortController();
  const lose = (why: string, cause?: unknown, connection = false) => {
    if (lostError || released) return;
    lostError = new Pg2ConvexError("LEADERSHIP_LOST", `this process lost the leadership lock of slot ${opts.slot}: ${why}; it stopped writing`, {
      retryable: true,
      // connectionLost: the lock's session went with its connection (PostgreSQL restarting, a network cut).
      context: { slot: opts.slot, holder: INSTANCE, connectionLost: connection },
      cause,
      fix: "nothing when a standby took over; `pg2convex run` goes back to standby. If it recurs, check the network to PostgreSQL and the process's CPU (see --leader-lease)",
    });
    log.error({ why }, "leadership lost: stopping writes at once");
    clearInterval(timer);
    resolveLost(lostError);
    aborter.abort(lostError);
    // Ends the session if it is still there (so the lock is free for the next leader), without waiting on a dead socket.
    void client.end().catch(() => undefined);
  };
  client.on("error", (e: Error) => lose(`its connection failed (${e.message})`, e, true));
  client.on("end", () => lose("its connection ended", undefined, true));
  const early = lostBefore();
  let pinging = false;
  const timer = setInterval(() => {
    if (pinging) return;
    pinging = true;
    withTimeout(holdsAdvisoryLock(client, key), opts.leaseMs / 2, "the lock session did not answer")
      .then((held) => held || lose("PostgreSQL no longer shows the lock as held by its session"))
      .catch((e: unknown) => lose(`its liveness check failed (${errorMessage(e)})`, e))
      .finally(() => (pinging = false));
  }, opts.leaseMs / 4);
  timer.unref();
  if (early) lose(early.message, early);
  const releasedError = () => new Pg2ConvexError("LEADERSHIP_LOST", `the leadership lock of slot ${opts.slot} was released`, { retryable: true, context: { slot: opts.slot } });
  return {
    holder: INSTANCE,
    held: () => lostError === null && !released,
    assertHeld() {
      if (lostError) throw lostError;
      if (released) throw releasedError();
    },
    lost,
    signal: aborter.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (!aborter.signal.aborted) aborter.abort(releasedError());
      await withTimeout(client.end(), 5000, "closing the lock session").catch(() => undefined);
    },
  };
}
