// The first thing a new leader does in Convex: claim the next leadership epoch (mirror-functions/apply/leader-epoch.ts).
import { Pg2ConvexError } from "../errors";
import type { Logger } from "../log";
import type { Sink } from "../sink";
import type { Leadership } from "./lease";

export async function claimEpoch(sink: Sink, leadership: Leadership, logger: Logger): Promise<number> {
  if (!sink.claimLeadership) throw new Pg2ConvexError("INTERNAL", "the sink cannot claim leadership: leadership needs the Convex sink");
  const { epoch, previous } = await sink.claimLeadership(leadership.holder);
  logger.info({ epoch, holder: leadership.holder, previous: previous ?? undefined }, "leading the slot: claimed a new leadership epoch in Convex");
  return epoch;
}
