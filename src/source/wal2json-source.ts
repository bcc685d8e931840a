// The ChangeSource over a wal2json slot. Invariants:
//   - the only position ever reported to PostgreSQL is `confirmed` (monotonic, set by confirm()), written by our
//     own status timer, in replies to keepalives and on a clean stop (see durable-only-service.ts for why the
//     library's acknowledgement is unusable);
//   - every START_REPLICATION names the explicit `from` position; nothing carries over between streams;
//   - onMessage calls are strictly sequential and awaited while the socket is paused (the library's flowControl);
//   - serverWalEnd() only reports a keepalive's position once every message received before it was delivered
//     (wal-end-tracker.ts);
//   - a silent connection is a dead one: after statusIntervalMs without a message the status update asks for a
//     reply (the walsender answers with a keepalive), and after livenessTimeoutMs without any (not counting time
//     the bridge itself is busy, when the socket is paused) the stream fails with a retryable STREAM_FAILED —
//     a stalled network path would otherwise be waited on for ever.
import { Pg2ConvexError } from "../errors";
import { silentLogger, type Logger } from "../log";
import { formatLsn, maxLsn, parseLsn, ZERO_LSN, type Lsn } from "../model/lsn";
import type { TableSet } from "../definitions/types";
import { DurableOnlyReplicationService } from "./durable-only-service";
import type { ChangeSource, WalMessage } from "./change-source";
import { replicationClientConfig } from "../postgres/session";
import { toStreamError } from "./stream-errors";
import { CONNECTION_LOST_FIX } from "../postgres/connection-lost";
import { validateSlotName } from "../postgres/ident";
import { WalEndTracker } from "./wal-end-tracker";
import { RawWal2JsonPlugin, wal2jsonOptions } from "./wal2json-options";

/** How long stop() waits for the server to end streaming cleanly before destroying the connection. */
const STOP_GRACE_MS = 5000;

async function withinGrace(p: Promise<void> | null): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
  clearTimeout(timer);
}

export interface Wal2JsonSourceOptions {
  connectionString: string;
  slot: string;
  tables: TableSet;
  numericAsString?: boolean;
  /** Stream every table (no add-tables): a mirrored partitioned table gains partitions whose names are not known yet. */
  allTables?: boolean;
  logger?: Logger;
  statusIntervalMs?: number;
  /** No message for this long while the bridge is not busy: the connection is dead (default 45 s). */
  livenessTimeoutMs?: number;
  /** application_name of the replication connection (slot takeover recognises this bridge's walsenders by it). */
  applicationName?: string;
}

/** The library's pg Connection and its socket (pg-logical-replication 2.5.0), to destroy a frozen one. */
interface SocketOf {
  _connection: { stream?: { destroy(): void } } | null;
}

/** One stream() call: a connection, its counters and its outcome. */
interface Run {
  readonly svc: DurableOnlyReplicationService;
  started: boolean;
  /** stop() was called: ending is expected, not a failure. */
  stopRequested: boolean;
  /** No further onMessage calls start (stop requested, failed, or closed). */
  stopping: boolean;
  failure: unknown;
  readonly walEnds: WalEndTracker;
  lastLsn: Lsn | null;
  inFlight: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  stopped: Promise<void> | null;
  /** Settles when START_REPLICATION has completed (cleanly or not). */
  ended: Promise<void> | null;
  /** When the last message arrived, or the bridge last finished handling one (the socket reads again). */
  lastHeard: number;
}

export class Wal2JsonSource implements ChangeSource {
  private confirmed: Lsn = ZERO_LSN;
  private walEnd: Lsn = ZERO_LSN;
  private run: Run | null = null;
  private readonly log: Logger;
  private readonly statusIntervalMs: number;

  constructor(private readonly opts: Wal2JsonSourceOptions) {
    validateSlotName(opts.slot);
    // Fail fast on an empty table set instead of at the first stream().
    wal2jsonOptions({ tables: opts.tables, numericAsString: opts.numericAsString ?? false });
    this.log = (opts.logger ?? silentLogger).child({ stage: "source", slot: opts.slot });
    this.statusIntervalMs = opts.statusIntervalMs ?? 10_000;
    // Must stay well below the server's wal_sender_timeout (60 s by default): while onMessage is busy the socket
    // is paused, keepalive requests go unread, and this timer is the only thing keeping the walsender patient.
    if (!(this.statusIntervalMs > 0 && Number.isFinite(this.statusIntervalMs))) {
      throw new Pg2ConvexError("CONFIG_INVALID", `statusIntervalMs must be a positive number of milliseconds, got ${this.statusIntervalMs}`);
    }
  }

  confirm(lsn: Lsn): void {
    this.confirmed = maxLsn(this.confirmed, lsn);
  }

  serverWalEnd(): Lsn {
    return this.walEnd;
  }

  async stream(from: Lsn, onMessage: (m: WalMessage) => Promise<void>): Promise<void> {
    if (this.run) throw new Pg2ConvexError("INTERNAL", "stream() called while a stream is already running", { context: { slot: this.opts.slot } });
    const svc = new DurableOnlyReplicationService(replicationClientConfig(this.opts.connectionString, this.opts.applicationName), () => this.confirmed);
    const run: Run = { svc, started: false, stopRequested: false, stopping: false, failure: undefined, walEnds: new WalEndTracker(), lastLsn: null, inFlight: null, timer: null, stopped: null, ended: null, lastHeard: Date.now() };
    this.run = run;
    const plugin = new RawWal2JsonPlugin(from, { tables: this.opts.tables, numericAsString: this.opts.numericAsString ?? false, allTables: this.opts.allTables ?? false }, () => run.walEnds.messageReceived());

    svc.on("error", (e: Error) => this.fail(run, toStreamError(e, { slot: this.opts.slot, started: run.started, lastLsn: run.lastLsn })));
    svc.on("start", () => {
      run.started = true;
      // stop() raced the connection set-up (the library creates its client asynchronously): end it now.
      if (run.stopping) {
        void svc.stop();
        return;
      }
      this.log.info({ from: formatLsn(from), confirmed: formatLsn(this.confirmed) }, "replication started");
      svc.sendStatus();
      run.lastHeard = Date.now();
      run.timer = setInterval(() => this.statusTick(run), this.statusIntervalMs);
      run.timer.unref();
    });
    svc.on("heartbeat", (lsn: string, _ts: number, shouldRespond: boolean) => {
      run.lastHeard = Date.now();
      run.walEnds.keepalive(parseLsn(lsn));
      this.walEnd = maxLsn(this.walEnd, run.walEnds.walEnd);
      if (shouldRespond) svc.sendStatus();
    });
    svc.on("data", async (lsn: string, text: string) => {
      run.lastHeard = Date.now();
      if (run.stopping) return;
      const message: WalMessage = { lsn: parseLsn(lsn), text };
      run.lastLsn = message.lsn;
      // An async wrapper so a synchronous throw is handled like a rejection.
      const call = (async () => onMessage(message))();
      run.inFlight = call.then(
        () => undefined,
        () => undefined,
      );
      try {
        await call;
        run.walEnds.messageDelivered();
        this.walEnd = maxLsn(this.walEnd, run.walEnds.walEnd);
      } catch (e) {
        // The bridge's own error: passed through untouched, the stream ends.
        this.fail(run, e, true);
      } finally {
        run.inFlight = null;
        run.lastHeard = Date.now();
      }
    });

    run.ended = svc.subscribe(plugin, this.opts.slot, formatLsn(from)).then(
      () => undefined,
      (e: unknown) => this.fail(run, toStreamError(e, { slot: this.opts.slot, started: run.started, lastLsn: run.lastLsn })),
    );
    await run.ended;
    await this.close(run);
    await run.inFlight;
    this.run = null;
    if (run.failure !== undefined) throw run.failure;
    if (!run.stopRequested) {
      throw new Pg2ConvexError("STREAM_FAILED", "the server ended the replication stream", {
        retryable: true,
        context: { slot: this.opts.slot, ...(run.lastLsn === null ? {} : { lsn: formatLsn(run.lastLsn) }) },
        fix: CONNECTION_LOST_FIX,
      });
    }
    this.log.info({ confirmed: formatLsn(this.confirmed) }, "replication stopped");
  }

  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    if (!run.stopRequested) {
      run.stopRequested = true;
      const graceful = run.started && !run.stopping;
      run.stopping = true;
      // Clean end: final status + CopyDone, so the walsender releases the slot before we disconnect.
      // If it does not answer in time (a huge transaction in flight, a dead peer) the socket is destroyed.
      if (graceful) {
        run.svc.endStreaming();
        await withinGrace(run.ended);
      } else if (!run.started) {
        // Still connecting: pg never settles connect() if the client is ended meanwhile, so let the 'start'
        // guard (or the connection's own failure) end the stream instead of closing under it.
        await withinGrace(run.ended);
      }
    }
    await this.close(run);
    await withinGrace(run.ended);
  }

  /**
   * Records the first failure and ends the stream. `graceful` (onMessage threw, the connection is fine): end
   * streaming cleanly so the slot is free for an immediate restart, destroying the socket only after the grace.
   */
  private fail(run: Run, e: unknown, graceful = false): void {
    if (run.failure === undefined && !run.stopping) {
      run.failure = e;
      this.log.warn({ err: e, lastLsn: run.lastLsn === null ? undefined : formatLsn(run.lastLsn) }, "replication stream failed");
      if (graceful && run.started) {
        run.stopping = true;
        run.svc.endStreaming();
        void withinGrace(run.ended).then(() => this.close(run));
        return;
      }
    }
    void this.close(run);
  }

  /** The periodic status update, asking for a reply when the server has been silent; fails a dead connection. */
  private statusTick(run: Run): void {
    const silentMs = Date.now() - run.lastHeard;
    const limit = this.opts.livenessTimeoutMs ?? 45_000;
    if (run.inFlight === null && silentMs > limit) {
      const context = { slot: this.opts.slot, ...(run.lastLsn === null ? {} : { lsn: formatLsn(run.lastLsn) }) };
      this.fail(run, new Pg2ConvexError("STREAM_FAILED", `no message from the server for ${Math.round(silentMs / 1000)} s: the replication connection is stalled or dead`, { retryable: true, context, fix: CONNECTION_LOST_FIX }));
      return;
    }
    run.svc.sendStatus(run.inFlight === null && silentMs >= this.statusIntervalMs);
  }

  /**
   * Idempotent: stops the status timer and closes the connection. Bounded: pg's end() waits for the server to
   * close the socket, which a frozen peer never does, so after STOP_GRACE_MS the socket is destroyed (its
   * 'close' ends the client, and START_REPLICATION — run.ended — fails with it).
   */
  private close(run: Run): Promise<void> {
    run.stopping = true;
    if (run.timer) clearInterval(run.timer);
    run.timer = null;
    if (!run.stopped) {
      const socket = (run.svc as unknown as SocketOf)._connection?.stream;
      let closed = false;
      const ended = run.svc.stop().then(
        () => void (closed = true),
        (e: unknown) => {
          closed = true;
          this.log.debug({ err: e }, "error while closing the replication connection");
        },
      );
      run.stopped = withinGrace(ended).then(() => {
        if (closed) return;
        this.log.warn("the replication connection did not close in time: destroying its socket");
        socket?.destroy();
        return withinGrace(ended);
      });
    }
    return run.stopped;
  }
}
