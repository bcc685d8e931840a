// The state of one applyBatch mutation: configuration, cached stores, usage counters, the keys written by
// earlier ops of this batch (see version-rules.ts for why they matter), the columns carried for moved
// rows (carry.ts) and the rejects recorded.
import type { GenericDatabaseWriter, GenericDataModel } from "convex/server";
import type { Value } from "convex/values";
import type { Carry } from "./carry-record";
import type { MirrorConfig } from "../config";
import { keyString, rowId } from "../../model/key";
import { RowStore, sameValue } from "./row-store";
import { SystemStore, type RecordedReject } from "../system-store";
import { Usage, type Budget } from "./usage";

export class MirrorTx {
  readonly usage: Usage;
  readonly rows: RowStore;
  readonly system: SystemStore;
  /** Carries kept by this mutation and not yet taken, by table and target key. */
  readonly carries = new Map<string, Carry>();
  /** Rejects this mutation recorded (or found recorded by an earlier attempt of the same batch). */
  readonly rejects: RecordedReject[] = [];
  private readonly touched = new Set<string>();
  /** Commit LSN of the streamed transaction this batch is a part of (version-rules.ts: equal version wins). */
  streamVer: bigint | null = null;

  constructor(
    readonly config: MirrorConfig,
    readonly db: GenericDatabaseWriter<GenericDataModel>,
    budget?: Budget,
    /** Recorded on every reject, so the batch can report its rejects once, however often it is sent. */
    readonly batchId = "",
  ) {
    this.usage = new Usage(budget);
    this.rows = new RowStore(db, this.usage);
    this.system = new SystemStore(db, this.usage);
  }

  /** Records a reject in pg2c_reject (once per table, key, version and code) and notes it for the result. */
  async reject(r: { table: string; key: Value[]; ver: bigint; code: string; reason: string }): Promise<void> {
    const recorded = await this.system.reject({ ...r, keyString: keyString(r.key), batchId: this.batchId });
    if (recorded) this.rejects.push(recorded);
  }

  touch(table: string, key: readonly Value[]): void {
    this.touched.add(rowId(table, key));
  }

  wasTouched(table: string, key: readonly Value[]): boolean {
    return this.touched.has(rowId(table, key));
  }

  sameKey(a: Value | undefined, b: Value | undefined): boolean {
    return sameValue(a ?? null, b ?? null);
  }
}
