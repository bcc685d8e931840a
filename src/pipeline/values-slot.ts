// Binds the values slot (src/postgres/values-slot.ts) to the NaN/±Infinity resolver (src/decode/special-values.ts)
// for one streaming run, and moves the slot along with the mirror's durable checkpoint (at most every
// ADVANCE_EVERY_MS, so an idle stream does not pay a decode per transaction). The slot only ever moves to a
// position already durable in Convex, so every transaction a restart replays is still in it.
import type pg from "pg";
import type { Logger } from "../log";
import type { TableSet } from "../definitions/types";
import type { AssembledUnit } from "../model/changes";
import { formatLsn, type Lsn } from "../model/lsn";
import { createSpecialValues } from "../decode/special-values";
import { advanceValuesSlot, ensureValuesSlot, peekValuesSlot } from "../postgres/values-slot";

const ADVANCE_EVERY_MS = 5_000;

export interface ValuesSlotStage {
  resolve<T extends AssembledUnit>(tx: T): Promise<T>;
  /** The mirror's checkpoint reached `endLsn` in Convex. */
  durable(endLsn: Lsn): void;
}

export async function openValuesSlot(opts: { pg: pg.ClientBase; slot: string; tables: TableSet; logger: Logger }): Promise<ValuesSlotStage> {
  const state = await ensureValuesSlot(opts.pg, opts.slot);
  const log = opts.logger.child({ stage: "values-slot", slot: state.name });
  if (state.created) {
    log.warn({ from: formatLsn(state.confirmedFlushLsn) }, "created the values slot now: float/numeric nulls of transactions committed before this point cannot be told from NaN/Infinity and become SPECIAL_VALUE_UNKNOWN rejects");
  }
  const specials = createSpecialValues({ tables: opts.tables, coversFrom: state.confirmedFlushLsn, peek: (upto) => peekValuesSlot(opts.pg, state.name, upto) });
  let position = state.confirmedFlushLsn;
  let lastAdvance = 0;
  let advancing = false;
  return {
    resolve: (tx) => specials.resolve(tx),
    durable(endLsn) {
      specials.forget(endLsn);
      if (advancing || endLsn <= position || Date.now() - lastAdvance < ADVANCE_EVERY_MS) return;
      advancing = true;
      lastAdvance = Date.now();
      advanceValuesSlot(opts.pg, state.name, endLsn)
        .then((lsn) => (position = lsn))
        .catch((e: unknown) => log.warn({ err: String(e), lsn: formatLsn(endLsn) }, "could not advance the values slot; it keeps WAL until the next try"))
        .finally(() => (advancing = false));
    },
  };
}
