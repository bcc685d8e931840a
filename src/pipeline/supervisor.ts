// Keeps the mirror running through transient failures, in-process. Invariants:
//  - the one decision "retry or stop" is the error's own `retryable` (decided where it was classified);
//    a permanent error (authentication, definitions, configuration, continuity or mirror refusals) ends `done`;
//  - Convex failures are retried inside each call for as long as the outage lasts (convex-client/retry.ts): a
//    retryable Convex error that reaches this loop has spent its budget (--max-outage) or we are stopping;
//  - a PostgreSQL failure (connection refused or lost, restart, failover, the replication stream ending) starts
//    the mirror again from scratch after a capped, jittered backoff: connect, checks, the continuity proof (bound
//    to the mirror id proved at the first start, so a deployment that lost its state is refused), then the
//    stream resumes from the Convex checkpoint. Nothing is lost or applied twice: PostgreSQL was never confirmed
//    past what Convex holds, and replayed changes are no-ops by version;
//  - an outage is bounded only by --max-outage (default: none);
//  - a leader (deps.leadership) that lost its lock never starts again: a failure after the loss (its SQL session
//    went with it), or the loss during a wait between attempts (which it ends), rejects `done` with
//    LEADERSHIP_LOST at once, so the lead loop stands by.
import { isRetryable, Pg2ConvexError } from "../errors";
import { backoffMs } from "../convex-client/retry";
import type { Position } from "../checkpoint";
import { outageTooLong, type OutageTracker } from "../observability/outage";
import { startMirror, type MirrorDeps, type MirrorHandle } from "./mirror";

/** A stream that stayed up this long counts as recovered (a slot still held by a dead walsender fails at once). */
const STABLE_MS = 3_000;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const DEPOSED = new Set(["LEADERSHIP_LOST", "LEADER_FENCED"]);

export interface SupervisorDeps extends MirrorDeps {
  outages: OutageTracker;
  /** Give up once PostgreSQL has been failing for longer than this (default: never). */
  maxOutageMs?: number;
  /** Observes the waits between attempts (health: "reconnecting"). */
  onReconnecting?: (error: Pg2ConvexError, inMs: number) => void;
  /** Test seam: how the mirror is started (default startMirror). */
  start?: (deps: MirrorDeps) => Promise<MirrorHandle>;
}

export interface SupervisedMirror {
  /** Settles when the mirror ends: resolves after stop(), rejects with the permanent error that ended it. */
  readonly done: Promise<void>;
  /**
   * Graceful stop: the running stream finishes its in-flight batch; a start-up or a wait is abandoned. After
   * `graceMs` (default 20 s) Convex calls still retrying give up, so stop() settles even during an outage.
   */
  stop(graceMs?: number): Promise<void>;
  /** True while a stream runs (not while starting, backfilling or waiting to reconnect). */
  streaming(): boolean;
  position(): Position | null;
}

export function superviseMirror(deps: SupervisorDeps): SupervisedMirror {
  const start = deps.start ?? startMirror;
  let stopping = false;
  let current: MirrorHandle | null = null;
  let streaming = false;
  let lastPosition: Position | null = null;
  let mirrorId: string | undefined = deps.expectedMirrorId;
  let wake: (() => void) | null = null;
  const abort = new AbortController();
  /** The LEADERSHIP_LOST error once this leader's lock is gone, else null. */
  const lostLeadership = (): unknown => {
    if (!deps.leadership || deps.leadership.held()) return null;
    try {
      deps.leadership.assertHeld();
    } catch (e) {
      return e;
    }
    return null;
  };
  // Deposed during a wait between attempts: the wait ends (the loop then rejects with the loss).
  void deps.leadership?.lost.then(() => wake?.());

  const attemptOnce = async (): Promise<void> => {
    const handle = await start({
      ...deps,
      ...(mirrorId === undefined ? {} : { expectedMirrorId: mirrorId }),
      onIdentity: (id) => {
        mirrorId = id;
        deps.onIdentity?.(id);
      },
      onPhase: (p) => {
        streaming = p === "streaming";
        deps.onPhase?.(p);
      },
      convexRetry: { ...deps.convexRetry, signal: abort.signal },
    });
    current = handle;
    if (stopping) await handle.stop();
    const stable = setTimeout(() => deps.outages.recovered("postgres"), STABLE_MS);
    try {
      await handle.done;
    } finally {
      clearTimeout(stable);
      lastPosition = handle.position() ?? lastPosition;
      current = null;
      streaming = false;
    }
  };

  const loop = async (): Promise<void> => {
    for (let failures = 0; ;) {
      try {
        await attemptOnce();
        return;
      } catch (e) {
        if (stopping) return;
        // Deposed (the leadership lock's session ended, or Convex saw a newer epoch): the lead loop decides.
        if (!isRetryable(e) || (e as Pg2ConvexError).code.startsWith("CONVEX_") || DEPOSED.has((e as Pg2ConvexError).code)) throw e;
        const deposed = lostLeadership();
        if (deposed) throw deposed;
        const err = e as Pg2ConvexError;
        failures = deps.outages.downForMs("postgres") === 0 ? 1 : failures + 1;
        deps.outages.failed("postgres", err);
        const downMs = deps.outages.downForMs("postgres");
        if (deps.maxOutageMs !== undefined && downMs >= deps.maxOutageMs) throw outageTooLong(err, downMs);
        const wait = backoffMs(failures, MIN_BACKOFF_MS, MAX_BACKOFF_MS);
        deps.onReconnecting?.(err, wait);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => (clearTimeout(timer), resolve());
        });
        wake = null;
        if (stopping) return;
        const lostMeanwhile = lostLeadership();
        if (lostMeanwhile) throw lostMeanwhile;
      }
    }
  };

  const done = loop();
  return {
    done,
    streaming: () => streaming,
    position: () => current?.position() ?? lastPosition,
    async stop(graceMs = 20_000) {
      stopping = true;
      const giveUp = setTimeout(() => abort.abort(), graceMs);
      giveUp.unref();
      wake?.();
      await current?.stop();
      await done.catch(() => undefined);
      clearTimeout(giveUp);
    },
  };
}
