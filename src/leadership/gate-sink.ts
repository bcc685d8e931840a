// The leader's write gate: wraps the Convex sink so that no write leaves this process once its leadership is
// lost (lease.ts), even before the stream has noticed. Convex's epoch check (leader-epoch.ts) is what makes a
// late write harmless; this gate makes "stop writing at once" true on this side as well. Reads pass through.
import type { Sink } from "../sink";
import type { Leadership } from "./lease";

export function gateSink(sink: Sink, leadership: Leadership): Sink {
  const gated =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      leadership.assertHeld();
      return fn(...args);
    };
  const settle = sink.settleRejects?.bind(sink);
  const claim = sink.claimLeadership?.bind(sink);
  return {
    apply: gated(sink.apply.bind(sink)),
    state: () => sink.state(),
    claimMirror: gated(sink.claimMirror.bind(sink)),
    beginBackfill: gated(sink.beginBackfill.bind(sink)),
    finishBackfill: gated(sink.finishBackfill.bind(sink)),
    ...(claim ? { claimLeadership: gated(claim) } : {}),
    ...(settle ? { settleRejects: gated(settle) } : {}),
  };
}
