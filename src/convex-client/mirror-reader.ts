// Read access to the mirror through the internal queries: status, demo, parity and the tests' oracle.
import type { MirrorState } from "../mirror-functions/wire/protocol";
import { createConvexClient, type ConvexClient, type ConvexClientOptions } from "./client";

export interface MirrorReader {
  state(slot: string): Promise<MirrorState>;
  /** Exact count, paged inside Convex's per-query read limits. */
  countRows(convexTable: string): Promise<number>;
  getByKeys(convexTable: string, keys: ReadonlyArray<readonly unknown[]>): Promise<Array<Record<string, unknown> | null>>;
  /** Every document of a table, page by page. */
  allRows(convexTable: string, pageSize?: number): AsyncGenerator<Record<string, unknown>>;
  /** The client underneath, for the other queries of the same module (parity, rejects). */
  readonly client: ConvexClient;
}

/**
 * Retries for a one-shot command's calls (status) and for parity's first call: an operator waiting at a
 * prompt wants "cannot reach Convex at …" in about a second, not after the sidecar's long ride-through.
 */
export const FAIL_FAST_RETRIES = 2;

/** `module` defaults to "mirror", the module name of this project's own convex/. */
export function createMirrorReader(opts: Omit<ConvexClientOptions, "module"> & { module?: string }): MirrorReader {
  const client = createConvexClient({ ...opts, module: opts.module ?? "mirror" });
  const q = <T>(name: string, args: Record<string, unknown>) => client.query<T>(name, args, typeof args.table === "string" ? { context: { table: args.table } } : {});
  return {
    client,
    state: (slot) => q<MirrorState>("getState", { slot }),
    async countRows(table) {
      let total = 0;
      let cursor: string | null = null;
      for (;;) {
        const page: { count: number; cursor: string; isDone: boolean } = await q("countRows", cursor ? { table, cursor } : { table });
        total += page.count;
        if (page.isDone) return total;
        cursor = page.cursor;
      }
    },
    getByKeys: (table, keys) => q("getByKeys", { table, keys }),
    async *allRows(table, pageSize = 500) {
      let cursor: string | null = null;
      for (;;) {
        const page: { page: Record<string, unknown>[]; continueCursor: string; isDone: boolean } = await q("getRows", { table, cursor, numItems: pageSize });
        yield* page.page;
        if (page.isDone) return;
        cursor = page.continueCursor;
      }
    },
  };
}
