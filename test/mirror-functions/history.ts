// Random source histories over language → course → story → story_done, and the state they must leave
// in Convex, computed independently of applyBatch (for the property tests).
import fc from "fast-check";
import type { Value } from "convex/values";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { rowId } from "../../src/model/key";
import { course, del, language, story, storyDone, trunc } from "./harness";

export const TABLES = ["language", "course", "story", "story_done"] as const;
type Table = (typeof TABLES)[number];
const KEYS = 3;

const id = fc.integer({ min: 1, max: KEYS });
const rowArb: Record<Table, fc.Arbitrary<(ver: bigint) => Op>> = {
  language: fc.record({ id, name: fc.constantFrom("fr", "en", "de") }).map((r) => (ver) => language(r.id, r.name, ver)),
  course: fc.record({ id, l: fc.option(id), f: fc.option(id) }).map((r) => (ver) => course(r.id, ver, { learning_language: r.l, from_language: r.f })),
  story: fc
    .record({ id: fc.integer({ min: 1, max: 5 }), c: fc.option(id), pub: fc.option(fc.boolean()), deleted: fc.option(fc.boolean()), todo: fc.nat(4) })
    .map((r) => (ver) => story(r.id, ver, { course_id: r.c, public: r.pub, deleted: r.deleted, todo_count: r.todo })),
  story_done: fc.record({ id, s: fc.option(fc.integer({ min: 1, max: 5 })) }).map((r) => (ver) => storyDone(r.id, ver, r.s)),
};

const opArb: fc.Arbitrary<(ver: bigint) => Op> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(...TABLES.map((t) => rowArb[t])) },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom(...TABLES), id: fc.integer({ min: 1, max: 5 }) }).map((r) => (ver: bigint) => del(r.t, r.id, ver)) },
);

/**
 * Transactions at versions 10, 20, …: an optional TRUNCATE first, then at most one op per key (the
 * net effect of the transaction, which is what the bridge sends).
 */
export const historyArb = (options: { truncates: boolean }) =>
  fc
    .array(
      fc.record({
        truncate: options.truncates ? fc.option(fc.subarray([...TABLES], { minLength: 1 }), { freq: 6 }) : fc.constant(null),
        ops: fc.array(opArb, { maxLength: 5 }),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .map((txns) =>
      txns.map((txn, i) => {
        const ver = BigInt((i + 1) * 10);
        const byKey = new Map<string, Op>();
        for (const f of txn.ops) {
          const op = f(ver) as Extract<Op, { o: "upsert" | "delete" }>;
          byKey.set(rowId(op.t, op.k), op);
        }
        const ops = [...byKey.values()];
        return { ver, ops: txn.truncate ? [trunc(txn.truncate, ver), ...ops] : ops };
      }),
    );

export type Rows = Record<Table, Map<Value, Record<string, Value>>>;

/** The rows PostgreSQL holds after the history: per key, the newest op not older than the last truncate. */
export function expectedRows(ops: readonly Op[]): Rows {
  const truncatedAt = new Map<string, bigint>();
  const last = new Map<string, Op>();
  for (const op of ops) {
    if (op.o === "truncate") for (const t of op.ts) truncatedAt.set(t, op.ver > (truncatedAt.get(t) ?? -1n) ? op.ver : truncatedAt.get(t)!);
    else if (op.o !== "reject") last.set(rowId(op.t, op.k), op);
  }
  const rows = Object.fromEntries(TABLES.map((t) => [t, new Map()])) as Rows;
  for (const op of last.values()) {
    if (op.o !== "upsert" || op.ver < (truncatedAt.get(op.t) ?? -1n)) continue;
    rows[op.t as Table].set(op.k[0]!, op.d as Record<string, Value>);
  }
  return rows;
}
