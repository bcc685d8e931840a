// Read-side handlers for the bridge (state, parity checks) and for tests. Each stays inside one
// query's read limits: pages are bounded by rows and bytes, key look-ups by MAX_KEYS_PER_CALL.
import type { GenericDataModel, GenericQueryCtx } from "convex/server";
import type { Value } from "convex/values";
import { Pg2ConvexError } from "../errors";
import { toMirrorState } from "./apply/checkpoint-rules";
import { loadCheckpoint } from "./apply/checkpoint";
import type { MirrorConfig } from "./config";
import { PK_INDEX } from "./names";
import type { MirrorState } from "./wire/protocol";

type Ctx = GenericQueryCtx<GenericDataModel>;

/** Rows read per countRows page; the byte cap keeps pages of large documents inside the read limit. */
export const COUNT_PAGE_ROWS = 8_000;
const PAGE_BYTES = 8 * 1024 * 1024;
/** getByKeys does one index range per key; Convex allows 4,096 per function. */
export const MAX_KEYS_PER_CALL = 1_000;

export async function getState(ctx: Ctx, slot: string): Promise<MirrorState> {
  const stored = await loadCheckpoint(ctx.db, slot);
  return toMirrorState(stored.id ? stored.fields : null, slot);
}

/** One page of a row count; call again with `cursor` until isDone, summing `count`. */
export async function countRows(config: MirrorConfig, ctx: Ctx, table: string, cursor: string | null) {
  const def = config.table(table).def;
  const page = await ctx.db.query(def.convexName).withIndex(PK_INDEX).paginate({ cursor, numItems: COUNT_PAGE_ROWS, maximumBytesRead: PAGE_BYTES });
  return { count: page.page.length, cursor: page.continueCursor, isDone: page.isDone };
}

/** Documents in primary-key order, for parity checks. */
export async function getRows(config: MirrorConfig, ctx: Ctx, table: string, cursor: string | null, numItems: number) {
  const def = config.table(table).def;
  const page = await ctx.db.query(def.convexName).withIndex(PK_INDEX).paginate({ cursor, numItems, maximumBytesRead: PAGE_BYTES });
  return { page: page.page, continueCursor: page.continueCursor, isDone: page.isDone };
}

/** The document for each key (null where absent), in the order given. */
export async function getByKeys(config: MirrorConfig, ctx: Ctx, table: string, keys: Value[][]) {
  if (keys.length > MAX_KEYS_PER_CALL) throw new Pg2ConvexError("BATCH_TOO_LARGE", `getByKeys takes at most ${MAX_KEYS_PER_CALL} keys`);
  const def = config.table(table).def;
  return Promise.all(
    keys.map((key) =>
      ctx.db
        .query(def.convexName)
        .withIndex(PK_INDEX, (q: any) => def.primaryKey.reduce((acc: any, c, i) => acc.eq(c, key[i] ?? null), q))
        .first(),
    ),
  );
}
