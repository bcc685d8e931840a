// DECODE_FAILED errors with the context the brief of every decode error requires: table, key, column, LSN.
import type { Value } from "convex/values";
import { Pg2ConvexError } from "../errors";
import { formatLsn, type Lsn } from "../model/lsn";

export interface FailureContext {
  readonly lsn: Lsn;
  readonly table?: string;
  readonly key?: readonly Value[];
  readonly column?: string;
}

export function decodeFailed(message: string, ctx: FailureContext, opts: { fix?: string; cause?: unknown } = {}): Pg2ConvexError {
  const context = {
    lsn: formatLsn(ctx.lsn),
    ...(ctx.table === undefined ? {} : { table: ctx.table }),
    ...(ctx.key === undefined ? {} : { key: ctx.key }),
    ...(ctx.column === undefined ? {} : { column: ctx.column }),
  };
  return new Pg2ConvexError("DECODE_FAILED", message, { context, ...opts });
}

/** Runs a value decode, re-raising its error with the table, key and LSN the value decoder cannot know. */
export function withContext<T>(ctx: FailureContext, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof Pg2ConvexError && e.code === "DECODE_FAILED") {
      throw decodeFailed(e.message, { ...ctx, column: ctx.column ?? (e.context.column as string | undefined) }, { cause: e, ...(e.fix ? { fix: e.fix } : {}) });
    }
    throw e;
  }
}
