// The stream's decoder: the decode stage plus the two things one record cannot settle on its own.
//  - A row of a table the decoder does not know may be a partition created while streaming: it is looked up
//    (partitions.ts) before being taken for an unmirrored table, and decoded again once known.
//  - Drift notes the decode produced (decode/drift.ts) are durable in Convex before the event goes on to the
//    assembler, so no checkpoint can pass a change whose unknown values were not kept.
import type { Decoder } from "../decode";
import type { DecodedEvent } from "../model/events";
import type { WalMessage } from "../source";
import type { DriftStage } from "./drift";
import type { PartitionMap } from "./partitions";

export function streamDecoder(inner: Decoder, deps: { partitions: PartitionMap; drift: DriftStage }): { decode(msg: WalMessage): Promise<DecodedEvent> } {
  return {
    async decode(msg) {
      let ev = inner.decode(msg);
      if (ev.type === "skip" && ev.relation && (await deps.partitions.learn(ev.relation.schema, ev.relation.table))) ev = inner.decode(msg);
      if (deps.drift.hasPending()) await deps.drift.flush();
      return ev;
    },
  };
}
