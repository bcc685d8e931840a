// The state of one applyBatch mutation: configuration, cached stores, usage counters, and the keys
// written by earlier ops of this batch (see version-rules.ts for why they matter).
import type { GenericDatabaseWriter, GenericDataModel } from "convex/server";
import type { Value } from "convex/values";
import type { MirrorConfig } from "./config";
import { keyString } from "./names";
import { RowStore, sameValue } from "./row-store";
import { SystemStore } from "./system-store";
import { Usage, type Budget } from "./usage";

export class MirrorTx {
  readonly usage: Usage;
  readonly rows: RowStore;
  readonly system: SystemStore;
  private readonly touched = new Set<string>();

  constructor(
    readonly config: MirrorConfig,
    db: GenericDatabaseWriter<GenericDataModel>,
    budget?: Budget,
  ) {
    this.usage = new Usage(budget);
    this.rows = new RowStore(db, this.usage);
    this.system = new SystemStore(db, this.usage);
  }

  touch(table: string, key: readonly Value[]): void {
    this.touched.add(`${table}\u0000${keyString(key)}`);
  }

  wasTouched(table: string, key: readonly Value[]): boolean {
    return this.touched.has(`${table}\u0000${keyString(key)}`);
  }

  sameKey(a: Value | undefined, b: Value | undefined): boolean {
    return sameValue(a ?? null, b ?? null);
  }
}
