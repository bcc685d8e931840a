// Runs resolved functions through convex-test (the patched copy, see ./fast-convex-test.ts) with
// transaction limits on, and turns whatever they throw into the backend's failure shape.
//
// Isolation (verified against convex-test 0.0.60): a mutation's writes stay in a pending layer until
// it commits and are dropped on throw; every top-level query/mutation also takes convex-test's own
// global transaction lock. The stand-in does not rely on that lock alone: mutations additionally
// hold our FIFO lock exclusively and queries share it, so mutations run one at a time in arrival
// order and a query can never see a mutation half-applied. Actions take no lock (they are not
// transactions); each ctx.runQuery/runMutation inside them is its own serialized transaction.
import { makeFunctionReference } from "convex/server";
import type { UserIdentity } from "convex/server";
import type { Value } from "convex/values";
import type { Caller } from "./auth";
import { takeTransactionUsage, type ConvexTest } from "./fast-convex-test";
import { MutationLog, processMutations } from "./mutation-log";
import type { ResolvedFunction } from "./functions";
import { ReadWriteLock } from "./lock";
import type { ConvexApp } from "./modules";

export type Outcome = { ok: true; value: Value } | { ok: false; message: string; data?: Value };

export class Executor {
  private readonly t: ReturnType<ConvexTest>;
  private readonly lock = new ReadWriteLock();
  /** Advances around every mutation and action; /api/query_ts hands it out (nanoseconds, like Convex). */
  private ts = BigInt(Date.now()) * 1_000_000n;
  private actionsInFlight = 0;
  /** This stand-in's mutations: execution time and usage (mutation-log.ts). */
  readonly mutations = new MutationLog();

  /** `convexTest` is the patched copy from loadFastConvexTest() (stock convex-test works too, slowly). */
  constructor(app: ConvexApp, convexTest: ConvexTest) {
    this.t = convexTest({ schema: app.schema, modules: app.modules, transactionLimits: true });
  }

  latestTs(): bigint {
    return this.ts;
  }

  async run(fn: ResolvedFunction, args: Record<string, Value>, caller: Caller): Promise<Outcome> {
    if (fn.kind === "query") return this.lock.shared(() => this.settle(fn, args, caller));
    if (fn.kind === "mutation") {
      return this.lock.exclusive(async () => {
        try {
          takeTransactionUsage(); // forget a query's, so a failed mutation reports none
          const t0 = performance.now();
          const outcome = await this.settle(fn, args, caller);
          const record = { path: fn.udfPath, ms: performance.now() - t0, ok: outcome.ok, usage: outcome.ok ? takeTransactionUsage() : null };
          this.mutations.add(record);
          processMutations.add(record);
          return outcome;
        } finally {
          this.advance();
        }
      });
    }
    this.actionsInFlight++;
    this.advance();
    try {
      return await this.settle(fn, args, caller);
    } finally {
      this.actionsInFlight--;
      this.advance();
    }
  }

  /**
   * A query "at" a timestamp from latestTs(). The stand-in keeps no history, so it answers only when
   * nothing can have been written since: same timestamp and no action running. Otherwise null.
   * (Functions scheduled with ctx.scheduler run inside convex-test and are not tracked here.)
   */
  async runQueryAt(fn: ResolvedFunction, args: Record<string, Value>, caller: Caller, ts: bigint): Promise<Outcome | null> {
    return this.lock.shared(async () => (ts === this.ts && this.actionsInFlight === 0 ? this.settle(fn, args, caller) : null));
  }

  private advance(): void {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.ts = now > this.ts ? now : this.ts + 1n;
  }

  private async settle(fn: ResolvedFunction, args: Record<string, Value>, caller: Caller): Promise<Outcome> {
    try {
      return { ok: true, value: (await this.invoke(fn, args, caller)) as Value };
    } catch (e) {
      return describeThrown(e);
    }
  }

  private invoke(fn: ResolvedFunction, args: Record<string, Value>, caller: Caller): Promise<unknown> {
    const actingAs: Partial<UserIdentity> | undefined = caller.admin ? caller.actingAs : undefined;
    const t = actingAs ? this.t.withIdentity(actingAs) : this.t;
    if (fn.kind === "query") return t.query(makeFunctionReference<"query">(fn.udfPath), args);
    if (fn.kind === "mutation") return t.mutation(makeFunctionReference<"mutation">(fn.udfPath), args);
    return t.action(makeFunctionReference<"action">(fn.udfPath), args);
  }
}

/** The backend prints uncaught exceptions as "Uncaught <Name>: <message>"; ConvexError also carries data. */
export function describeThrown(e: unknown): Outcome {
  if (typeof e === "object" && e !== null && Symbol.for("ConvexError") in e) {
    const err = e as { message?: string; data?: Value };
    return { ok: false, message: `Uncaught ConvexError: ${err.message ?? ""}`, data: err.data === undefined ? null : err.data };
  }
  if (typeof e === "object" && e !== null && "message" in e) {
    const err = e as { name?: string; message: unknown };
    return { ok: false, message: `Uncaught ${err.name || "Error"}: ${String(err.message)}` };
  }
  return { ok: false, message: `Uncaught ${String(e)}` };
}
