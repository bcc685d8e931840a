// Read access to the mirror through the same official client and internal queries: status, demo, parity.
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import type { MirrorState } from "../mirror-functions/wire/protocol";

export interface MirrorReader {
  state(slot: string): Promise<MirrorState>;
  /** Exact count, paged inside Convex's per-query read limits. */
  countRows(convexTable: string): Promise<number>;
  getByKeys(convexTable: string, keys: ReadonlyArray<readonly unknown[]>): Promise<Array<Record<string, unknown> | null>>;
  /** Every document of a table, page by page. */
  allRows(convexTable: string, pageSize?: number): AsyncGenerator<Record<string, unknown>>;
  readonly client: ConvexHttpClient;
}

export function createMirrorReader(opts: { url: string; adminKey: string; module?: string }): MirrorReader {
  const client = new ConvexHttpClient(opts.url, { logger: false });
  (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(opts.adminKey);
  const q = <T>(name: string, args: Record<string, unknown>) => client.query(makeFunctionReference<"query">(`${opts.module ?? "mirror"}:${name}`) as any, args) as Promise<T>;
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
