// serverWalEnd bookkeeping. A keepalive's walEnd says "the server has sent everything before this position",
// but the messages sent before it may still be queued (parsed from the same socket chunk) or in onMessage.
// Invariant: a walEnd is published only once every message received before its keepalive has been delivered,
// so a caller with nothing in flight can confirm serverWalEnd() without skipping an undelivered change.
import { maxLsn, ZERO_LSN, type Lsn } from "../model/lsn";

export class WalEndTracker {
  private received = 0;
  private delivered = 0;
  private published: Lsn = ZERO_LSN;
  /** Keepalive positions waiting for earlier messages; ascending in `afterReceived`, at most one per count. */
  private readonly pending: Array<{ walEnd: Lsn; afterReceived: number }> = [];

  /** Highest published walEnd (monotonic). */
  get walEnd(): Lsn {
    return this.published;
  }

  /** A data message arrived from the server (not yet delivered). */
  messageReceived(): void {
    this.received++;
  }

  /** onMessage resolved for the oldest undelivered message. */
  messageDelivered(): void {
    this.delivered++;
    this.publish();
  }

  keepalive(walEnd: Lsn): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.afterReceived === this.received) last.walEnd = maxLsn(last.walEnd, walEnd);
    else this.pending.push({ walEnd, afterReceived: this.received });
    this.publish();
  }

  private publish(): void {
    while (this.pending.length > 0 && this.pending[0]!.afterReceived <= this.delivered) {
      this.published = maxLsn(this.published, this.pending.shift()!.walEnd);
    }
  }
}
