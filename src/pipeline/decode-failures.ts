// The stream's decode-failure policy, as a wrapper around the decoder: a row of a mirrored table that cannot be
// decoded becomes a reject change with its reason, so its transaction still applies and the row is recorded as a
// reject in Convex; any other failure (a record that is not such a row, or one outside a transaction) is fatal
// and rethrown as it was.
import type { Logger } from "../log";
import type { TableGraph } from "../definitions/graph";
import type { Decoder } from "../decode";
import { Pg2ConvexError } from "../errors";
import { formatLsn } from "../model/lsn";

export function decodeOrReject(decoder: Decoder, deps: { openXid: () => number | null; graph: TableGraph; logger: Logger }): Decoder {
  const { graph, logger } = deps;
  return {
    decode(msg) {
      try {
        return decoder.decode(msg);
      } catch (e) {
        const xid = deps.openXid();
        const ctx = e instanceof Pg2ConvexError ? e.context : {};
        if (!(e instanceof Pg2ConvexError) || e.code !== "DECODE_FAILED" || xid === null || typeof ctx.table !== "string" || !graph.byName(ctx.table)) throw e;
        logger.error({ err: e.toJSON(), lsn: formatLsn(msg.lsn) }, "row could not be decoded; recording it as a reject");
        const key = Array.isArray(ctx.key) ? (ctx.key as never[]) : [];
        return { type: "change", xid, change: { kind: "reject", table: ctx.table, key, lsn: msg.lsn, code: e.code, reason: e.message } };
      }
    },
  };
}
