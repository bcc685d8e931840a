// Per-mutation figures of the local stand-in: how long the mutation ran (its execution time in this process:
// argument validation, the handler, commit; the lock wait excluded) and what it used as convex-test counts it
// against Convex's limits (index ranges, documents and bytes read and written). The real backend limits a
// mutation to 1 s of execution; the stand-in's time is only an indication of it (same JS, another database).
import type { TransactionUsage } from "./fast-convex-test";

export interface MutationRecord {
  /** `module:name` of the function. */
  path: string;
  ms: number;
  ok: boolean;
  /** Null when the mutation failed (nothing committed) or ran outside the patched convex-test. */
  usage: TransactionUsage | null;
}

/** The most recent records, oldest first, at most `max` of them. */
export class MutationLog {
  private records: MutationRecord[] = [];
  /** Records ever added (a position for since()). */
  count = 0;
  constructor(private readonly max = 10_000) {}

  add(r: MutationRecord): void {
    this.count += 1;
    this.records.push(r);
    if (this.records.length > this.max) this.records = this.records.slice(-Math.floor(this.max / 2));
  }

  all(): readonly MutationRecord[] {
    return this.records;
  }

  /** The records added after the log held `count` (those still kept). */
  since(count: number): MutationRecord[] {
    return this.records.slice(Math.max(0, this.records.length - (this.count - count)));
  }
}

/** Every stand-in's mutations in this process (the bench reads the ones of one run from here). */
export const processMutations = new MutationLog(100_000);
