// serverWalEnd bookkeeping: a keepalive position is published only once every message received before it has
// been delivered (several messages and a keepalive can arrive in one socket chunk while onMessage is busy).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { WalEndTracker } from "../../src/source/wal-end-tracker";

describe("WalEndTracker", () => {
  it("holds back a keepalive until the messages received before it are delivered", () => {
    const t = new WalEndTracker();
    t.keepalive(100n);
    expect(t.walEnd).toBe(100n); // nothing outstanding
    t.messageReceived();
    t.messageReceived();
    t.keepalive(200n);
    t.messageReceived();
    t.keepalive(300n);
    expect(t.walEnd).toBe(100n);
    t.messageDelivered();
    expect(t.walEnd).toBe(100n);
    t.messageDelivered();
    expect(t.walEnd).toBe(200n);
    t.messageDelivered();
    expect(t.walEnd).toBe(300n);
  });

  it("never publishes a position ahead of an undelivered message, and is monotonic", () => {
    // ops: 0 = receive, 1 = deliver (if any outstanding), 2 = keepalive with the next higher walEnd
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 200 }), (ops) => {
        const t = new WalEndTracker();
        const keepalives: Array<{ walEnd: bigint; afterReceived: number }> = [];
        let received = 0;
        let delivered = 0;
        let next = 0n;
        let last = 0n;
        for (const op of ops) {
          if (op === 0) {
            received++;
            t.messageReceived();
          } else if (op === 1 && delivered < received) {
            delivered++;
            t.messageDelivered();
          } else if (op === 2) {
            next += 8n;
            keepalives.push({ walEnd: next, afterReceived: received });
            t.keepalive(next);
          }
          const allowed = keepalives.filter((k) => k.afterReceived <= delivered).reduce((m, k) => (k.walEnd > m ? k.walEnd : m), 0n);
          expect(t.walEnd).toBe(allowed);
          expect(t.walEnd >= last).toBe(true);
          last = t.walEnd;
        }
      }),
    );
  });
});
