// The START_REPLICATION command of a logical slot (the walsender's replication grammar, not SQL). Invariants:
// the start position is always an explicit LSN, and the slot name has passed PostgreSQL's slot-name rule, so it
// needs no escaping beyond the quotes. String literals in that grammar have no backslash escapes: doubling `'`
// (quoteLiteral) is the whole quoting.
import { formatLsn, type Lsn } from "../model/lsn";
import { quoteIdent, quoteLiteral, validateSlotName } from "./ident";

/** `START_REPLICATION SLOT "slot" LOGICAL 1/2A ("option" 'value', …)`, options in the order given. */
export function startReplicationCommand(slot: string, from: Lsn, options: ReadonlyArray<readonly [string, string]>): string {
  validateSlotName(slot);
  const list = options.map(([k, v]) => `${quoteIdent(k)} ${quoteLiteral(v)}`);
  return `START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL ${formatLsn(from)}${list.length > 0 ? ` (${list.join(", ")})` : ""}`;
}
