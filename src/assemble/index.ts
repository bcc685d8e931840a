export interface TransactionAssembler {
  /** Feeds one decoded event; returns the whole transaction when `event` is its commit, otherwise null. */
  push(event: DecodedEvent): SourceTransaction | null;
  /** xid of the open transaction, if any */
  openXid(): number | null;
}

// One assembler per stream() call: a transaction left open by a dropped connection is redelivered from its
// begin by the next stream, so a fresh assembler must be used after any reconnect.
import type { DecodedEvent } from "../model/events";
import type { SourceTransaction } from "../model/changes";
import { Assembler } from "./assembler";

export function createAssembler(): TransactionAssembler {
  return new Assembler();
}
