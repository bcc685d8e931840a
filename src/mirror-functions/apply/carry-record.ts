// One moved row's omitted columns waiting for its new key's upsert (stored in pg2c_carry when the move spans
// two mutations). Its own file so the transaction (mirror-tx.ts) and the carry logic (carry.ts) can both use it.
import type { Fields } from "./row-store";

export interface Carry {
  table: string;
  /** keyString of the key the row moved to. */
  key: string;
  /** keyString of the key it moved from. */
  from: string;
  /** null: the doc at `from` was stale (older than a reject of its key). */
  fields: Fields | null;
}
