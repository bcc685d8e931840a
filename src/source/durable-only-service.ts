// pg-logical-replication's service, made unable to report anything but the durable position.
//
// The trap (pg-logical-replication 2.5.0, its issue #22): even with `acknowledge.auto: false` the service's own
// timer calls `acknowledge(lastLsn)` with the last *received* position (data or keepalive), and `acknowledge`
// reports lsn + 1. PostgreSQL then advances confirmed_flush_lsn past changes that were received but never
// applied, and a crash loses them. Invariants here:
//   - the library's timer is off (`timeoutSeconds: 0`) and automatic acknowledgement is off;
//   - `acknowledge` is overridden: whatever calls it, with whatever LSN, the status update written carries the
//     durable position from `durable()` and nothing else;
//   - the durable position is written verbatim (no + 1): a flush position F tells PostgreSQL that every
//     transaction whose commit record starts before F is done; F + 1 could drop a commit starting exactly at F.
//     Before the first confirm() the position is 0, which PostgreSQL ignores (the slot keeps its value).
import { LogicalReplicationService } from "pg-logical-replication";
import type { ClientConfig } from "pg";
import type { Lsn } from "../model/lsn";

/** Milliseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 00:00:00 UTC). */
const PG_EPOCH_MS = 946_684_800_000n;

/** A Standby Status Update ('r') message: write, flush and apply positions all set to `position`. */
export function encodeStandbyStatus(position: Lsn, now: Date, replyRequested = false): Buffer {
  const msg = Buffer.alloc(34);
  msg.write("r", 0, "latin1");
  msg.writeBigUInt64BE(position, 1);
  msg.writeBigUInt64BE(position, 9);
  msg.writeBigUInt64BE(position, 17);
  msg.writeBigInt64BE((BigInt(now.getTime()) - PG_EPOCH_MS) * 1000n, 25);
  msg.writeUInt8(replyRequested ? 1 : 0, 33);
  return msg;
}

/** The one library internal we touch (its pg Connection); written against pg-logical-replication 2.5.0. */
interface ServiceInternals {
  _connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void; stream?: { resume(): void } } | null;
}

export class DurableOnlyReplicationService extends LogicalReplicationService {
  constructor(
    clientConfig: ClientConfig,
    private readonly durable: () => Lsn,
  ) {
    super(clientConfig, {
      acknowledge: { auto: false, timeoutSeconds: 0 },
      // Data handlers are awaited one at a time and the socket is paused while they run.
      flowControl: { enabled: true },
    });
  }

  /** Never reports `_requested`: only the durable position leaves this process. */
  override async acknowledge(_requested: string, ping = false): Promise<boolean> {
    return this.sendStatus(ping);
  }

  /** Writes a status update with the durable position; false when there is no live connection. */
  sendStatus(ping = false): boolean {
    const conn = (this as unknown as ServiceInternals)._connection;
    if (this.isStop() || !conn) return false;
    conn.sendCopyFromChunk(encodeStandbyStatus(this.durable(), new Date(), ping));
    return true;
  }

  /**
   * Asks the server to end streaming cleanly: a last status update with the durable position, then CopyDone.
   * The walsender finishes the transaction it is sending, releases the slot and completes START_REPLICATION, so
   * a new stream can start at once. The socket is resumed so that reply (and any data still in flight, which the
   * source ignores once stopping) can be read.
   */
  endStreaming(): void {
    const conn = (this as unknown as ServiceInternals)._connection;
    if (this.isStop() || !conn) return;
    conn.sendCopyFromChunk(encodeStandbyStatus(this.durable(), new Date()));
    conn.endCopyFrom();
    conn.stream?.resume();
  }
}
