// The TransactionAssembler (transaction-assembler.ts states the invariants it keeps): one open transaction at a
// time, and a typed, non-retryable STREAM_FAILED for every event that breaks the begin/change/commit order.
// A transaction larger than the part limits is handed on in parts (parts.ts).
import { Pg2ConvexError } from "../errors";
import { formatLsn, type Lsn } from "../model/lsn";
import type { DecodedEvent } from "../model/events";
import type { AssembledUnit, TxMessage } from "../model/changes";
import type { TransactionAssembler } from "./transaction-assembler";
import { NO_PART_LIMITS, PartBuffer, type PartLimits } from "./parts";

interface OpenTransaction {
  readonly xid: number;
  readonly commitLsn: Lsn;
  readonly commitTime: Date;
  readonly buffer: PartBuffer;
  readonly messages: TxMessage[];
}

function violation(message: string, context: { xid?: number; openXid?: number; lsn?: Lsn }): Pg2ConvexError {
  return new Pg2ConvexError("STREAM_FAILED", `replication protocol violation: ${message}`, {
    retryable: false,
    context: {
      ...(context.xid === undefined ? {} : { xid: context.xid }),
      ...(context.openXid === undefined ? {} : { openXid: context.openXid }),
      ...(context.lsn === undefined ? {} : { lsn: formatLsn(context.lsn) }),
    },
  });
}

export class Assembler implements TransactionAssembler {
  private open: OpenTransaction | null = null;

  constructor(private readonly limits: PartLimits = NO_PART_LIMITS) {}

  openXid(): number | null {
    return this.open?.xid ?? null;
  }

  push(event: DecodedEvent, bytes = 0): AssembledUnit | null {
    switch (event.type) {
      case "skip":
        return null;
      case "begin":
        if (this.open) throw violation(`begin of xid ${event.xid} while xid ${this.open.xid} is open`, { xid: event.xid, openXid: this.open.xid, lsn: event.lsn });
        this.open = { xid: event.xid, commitLsn: event.commitLsn, commitTime: event.commitTime, buffer: new PartBuffer(this.limits), messages: [] };
        return null;
      case "change": {
        const open = this.expectOpen("change", event.xid, event.change.lsn);
        const part = open.buffer.parts;
        const cut = open.buffer.push(event.change, bytes);
        return cut ? { xid: open.xid, commitLsn: open.commitLsn, commitTime: open.commitTime, part, changes: cut, final: false } : null;
      }
      case "message":
        this.expectOpen("message", event.xid, event.lsn).messages.push({ prefix: event.prefix, content: event.content });
        return null;
      case "commit": {
        const open = this.expectOpen("commit", event.xid, event.commitLsn);
        if (open.commitLsn !== event.commitLsn) {
          throw violation(`commit LSN ${formatLsn(event.commitLsn)} differs from the begin record's ${formatLsn(open.commitLsn)}`, { xid: event.xid, lsn: event.commitLsn });
        }
        this.open = null;
        const parts = open.buffer.parts;
        return { xid: open.xid, commitLsn: event.commitLsn, endLsn: event.endLsn, commitTime: event.commitTime, changes: open.buffer.rest(), ...(parts > 0 ? { part: parts } : {}), ...(open.messages.length > 0 ? { messages: open.messages } : {}) };
      }
    }
  }

  private expectOpen(what: string, xid: number, lsn: Lsn): OpenTransaction {
    if (!this.open) throw violation(`${what} of xid ${xid} without a begin`, { xid, lsn });
    if (this.open.xid !== xid) throw violation(`${what} of xid ${xid} inside xid ${this.open.xid}`, { xid, openXid: this.open.xid, lsn });
    return this.open;
  }
}

// One assembler per stream() call: a transaction left open by a dropped connection is redelivered from its
// begin by the next stream, so a fresh assembler must be used after any reconnect.
export function createAssembler(limits: PartLimits = NO_PART_LIMITS): TransactionAssembler {
  return new Assembler(limits);
}
