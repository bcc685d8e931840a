// Source stage: a logical replication slot read as raw wal2json messages. Invariants (each method says its own):
//  - messages reach onMessage strictly one at a time, in WAL order, each awaited (backpressure);
//  - the only position ever reported to PostgreSQL is the one passed to confirm(): what is durable downstream;
//  - nothing carries over between stream() calls: each one names its start position explicitly.
// The wal2json implementation: see wal2json-source.ts for its invariants.
import type { Lsn } from "../model/lsn";

export interface WalMessage {
  /** XLogData walStart of the message (for a C record: the end of the commit record). */
  readonly lsn: Lsn;
  /** Raw wal2json format-version-2 JSON, NOT parsed: the decoder parses it losslessly. */
  readonly text: string;
}

export interface ChangeSource {
  /**
   * Streams the slot from `from` (PostgreSQL resumes at max(from, confirmed_flush_lsn): it skips every transaction
   * whose commit LSN is below that position). Calls onMessage strictly sequentially, awaiting each call
   * (backpressure: the socket is paused while the bridge is busy). Resolves after stop() once the in-flight
   * onMessage has settled; rejects with a typed error if the connection fails (STREAM_FAILED, retryable), or with
   * onMessage's own error if it throws.
   */
  stream(from: Lsn, onMessage: (m: WalMessage) => Promise<void>): Promise<void>;
  /**
   * Everything before `lsn` is durable downstream: pass a transaction's endLsn (the C record's nextlsn). Sent to
   * PostgreSQL verbatim as the flush position, so transactions with commitLsn < lsn are never redelivered and one
   * whose commit record starts at `lsn` still is. The ONLY position ever reported to PostgreSQL; monotonic (lower
   * values ignored); reported every statusIntervalMs, on keepalives that ask for a reply, and on stop().
   */
  confirm(lsn: Lsn): void;
  /**
   * Highest WAL position the server reported in keepalives (for idle advancement and lag), published only once
   * every message received before that keepalive has been delivered to onMessage.
   */
  serverWalEnd(): Lsn;
  /** Closes the connection (after a best-effort final status update); no onMessage call starts afterwards. */
  stop(): Promise<void>;
}
