// A tiny random-program interpreter for the differential test of the patched convex-test: the same
// program runs on stock convex-test and on the patched copy, and the logs must be identical.
// Values are pool indices so programs stay plain data (they travel as mutation arguments).
import { defineSchema, defineTable, makeFunctionReference, mutationGeneric, queryGeneric, type GenericMutationCtx, type GenericQueryCtx } from "convex/server";
import { ConvexError, convexToJson, v, type Value } from "convex/values";
import fc from "fast-check";

// `t` is always a string so the search index (whose results come in scan order) never trips on it.
const FIELDS = { k: v.optional(v.any()), s: v.optional(v.any()), n: v.optional(v.any()), o: v.optional(v.any()), t: v.string() };
export const schema = defineSchema({
  docs: defineTable(FIELDS)
    .index("by_k", ["k"])
    .index("by_k_s", ["k", "s"])
    .index("by_s_n_k", ["s", "n", "k"])
    .index("by_ox", ["o.x"])
    .searchIndex("search_t", { searchField: "t", filterFields: ["k"] }),
  other: defineTable(FIELDS).index("by_k", ["k"]),
});
const TABLES = ["docs", "other"] as const;
const INDEXES: Record<(typeof TABLES)[number], Record<string, string[]>> = {
  docs: { by_k: ["k"], by_k_s: ["k", "s"], by_s_n_k: ["s", "n", "k"], by_ox: ["o.x"], by_creation_time: ["_creationTime"], by_id: ["_id"] },
  other: { by_k: ["k"], by_creation_time: ["_creationTime"], by_id: ["_id"] },
};

/** undefined = missing field; numbers vs bigints, -0 vs 0, NaN, null, nested values for "o.x". */
const POOL: (Value | undefined)[] = [undefined, null, 0, -0, 1, 2.5, NaN, 0n, 1n, -1n, "", "a", "b", "é", true, false, [1], [1n], [], { x: 1 }, { x: 1n }, { x: null }, { x: "a" }, {}, { y: 1 }, { x: { y: [1] } }, new Uint8Array([1]).buffer];
const FIELD_NAMES = ["k", "s", "n", "o"] as const;
const TEXTS = ["", "a", "ab", "b a", "é b"];

type Table = 0 | 1;
type Fields = [number, number][]; // [field index, pool index]
export type QuerySpec = {
  table: Table;
  index: string | null;
  eqs: number[];
  /** by_id: the id of the pick-th visible doc of `pickTable` (or "not-an-id" when none). */
  idPick: [Table, number];
  lower: ["gt" | "gte", number] | null;
  upper: ["lt" | "lte", number] | null;
  order: "asc" | "desc";
  filter: [number, number] | null;
  mode: "collect" | "first" | "take" | "paginate";
  n: number;
};
export type Step =
  | { op: "insert"; table: Table; fields: Fields }
  | { op: "bulk"; table: Table; count: number; seed: number }
  | { op: "patch" | "replace"; table: Table; pick: number; fields: Fields }
  | { op: "delete"; table: Table; pick: number }
  | { op: "query"; q: QuerySpec }
  | { op: "nested"; steps: Step[]; fail: boolean };
export type Txn = { steps: Step[]; fail: boolean };

const applyRef = makeFunctionReference<"mutation", Txn, string[]>("diff:apply");
const pageRef = makeFunctionReference<"query", { q: QuerySpec; cursor: string | null }, { page: string; isDone: boolean; continueCursor: string }>("diff:page");
const dumpRef = makeFunctionReference<"mutation", Record<string, never>, string[]>("diff:dump");

const apply = mutationGeneric({
  handler: async (ctx, { steps, fail }: Txn) => {
    const log: string[] = [];
    for (const step of steps) await runStep(ctx, step, log);
    // ConvexError data reaches the caller, so the reads of rolled-back transactions are compared too.
    if (fail) throw new ConvexError(log);
    return log;
  },
});
const page = queryGeneric({
  handler: async (ctx, { q, cursor }: { q: QuerySpec; cursor: string | null }) => JSON.parse(await runQuery(ctx, q, cursor)) as { page: string; isDone: boolean; continueCursor: string },
});
const dump = mutationGeneric({
  handler: async (ctx) => Promise.all(TABLES.map(async (t) => show(await ctx.db.query(t).collect()))),
});
export const modules = { "convex/_generated/api.js": async () => ({}), "convex/diff.js": async () => ({ apply, page, dump }) };

type Ctx = GenericMutationCtx<any>;

async function runStep(ctx: Ctx, step: Step, log: string[]): Promise<void> {
  switch (step.op) {
    case "insert":
      log.push(await ctx.db.insert(TABLES[step.table], fieldsOf(step.fields)));
      return;
    case "bulk":
      // Many documents with colliding index values, so pages and hash buckets hold several.
      for (let i = 0; i < step.count; i++) {
        const x = step.seed + i * 7;
        await ctx.db.insert(
          TABLES[step.table],
          fieldsOf([
            [0, x % 5],
            [1, (x >> 1) % 13],
            [2, (x >> 2) % 7],
            [3, 19 + (x % 8)],
          ]),
        );
      }
      log.push(`bulk ${step.count}`);
      return;
    case "patch":
    case "replace":
    case "delete": {
      const doc = await pick(ctx, step.table, step.pick);
      if (doc === null) return void log.push("nothing to pick");
      if (step.op === "delete") await ctx.db.delete(doc._id);
      else if (step.op === "patch") await ctx.db.patch(doc._id, fieldsOf(step.fields, true));
      else await ctx.db.replace(doc._id, fieldsOf(step.fields));
      log.push(`${step.op} ${doc._id}`);
      return;
    }
    case "query":
      log.push(await runQuery(ctx, step.q));
      return;
    case "nested":
      try {
        log.push(...(await ctx.runMutation(applyRef, { steps: step.steps, fail: step.fail })));
      } catch (e) {
        log.push(`nested threw: ${describe(e)}`);
      }
  }
}

/** With `cursor` (null = first page): one page of the query, as JSON of { page, isDone, continueCursor }. */
async function runQuery(ctx: GenericQueryCtx<any>, s: QuerySpec, cursor?: string | null): Promise<string> {
  const table = TABLES[s.table];
  let q: any = ctx.db.query(table);
  if (s.index === "search_t") {
    // Search results keep the table's scan order: this is what checks _iterateDocs' visiting order.
    q = q.withSearchIndex("search_t", (b: any) => (s.eqs.length > 1 ? b.search("t", TEXTS[s.eqs[0]! % TEXTS.length]).eq("k", POOL[s.eqs[1]!]) : b.search("t", TEXTS[(s.eqs[0] ?? 1) % TEXTS.length])));
  } else if (s.index !== null) {
    const fields = INDEXES[table][s.index]!;
    const id = s.index === "by_id" ? ((await pick(ctx, s.idPick[0], s.idPick[1]))?._id ?? "not-an-id") : undefined;
    const eqs = s.index === "by_id" ? [id] : s.eqs.slice(0, fields.length).map((i) => POOL[i]);
    const next = fields[eqs.length];
    q = q.withIndex(s.index, (r: any) => {
      for (const [i, value] of eqs.entries()) r = r.eq(fields[i], value);
      if (next !== undefined && s.lower) r = r[s.lower[0]](next, POOL[s.lower[1]]);
      if (next !== undefined && s.upper) r = r[s.upper[0]](next, POOL[s.upper[1]]);
      return r;
    });
  }
  if (s.index !== "search_t") q = q.order(s.order);
  if (s.filter) {
    const [f, val] = s.filter;
    q = q.filter((x: any) => x.eq(x.field(FIELD_NAMES[f]!), POOL[val]));
  }
  if (cursor !== undefined) {
    const p = await q.paginate({ cursor, numItems: s.n });
    return JSON.stringify({ page: show(p.page), isDone: p.isDone, continueCursor: p.continueCursor });
  }
  switch (s.mode) {
    case "paginate": {
      // Every page, walking continueCursor; one query execution per page (Convex allows one
      // .paginate() per function). Cursors embed _creationTime (wall clock), so compare the pages
      // they lead to, not the cursors themselves.
      const pages: string[] = [];
      for (let cursor: string | null = null, i = 0; i < 30; i++) {
        const p: { page: string; isDone: boolean; continueCursor: string } = await ctx.runQuery(pageRef, { q: { ...s, mode: "collect" }, cursor });
        pages.push(`${p.page} ${p.isDone}`);
        if (p.isDone) break;
        cursor = p.continueCursor;
      }
      return pages.join(" | ");
    }
    case "collect":
      return show(await q.collect());
    case "first":
      return show([await q.first()]);
    case "take":
      return show(await q.take(s.n));
  }
}

async function pick(ctx: GenericQueryCtx<any>, table: Table, n: number): Promise<{ _id: any } | null> {
  const docs = await ctx.db.query(TABLES[table]).collect();
  return docs.length === 0 ? null : docs[n % docs.length]!;
}

function fieldsOf(fields: Fields, keepUndefined = false): Record<string, any> {
  const out: Record<string, any> = keepUndefined ? {} : { t: TEXTS[fields.reduce((a, [f, p]) => a + f + p, 0) % TEXTS.length] };
  for (const [f, p] of fields) if (POOL[p] !== undefined || keepUndefined) out[FIELD_NAMES[f]!] = POOL[p];
  return out;
}

/** _creationTime comes from the wall clock, so it differs between the two runs; its order does not. */
function show(docs: unknown[]): string {
  return JSON.stringify(docs.map((d) => (d === null ? null : convexToJson({ ...(d as Record<string, Value>), _creationTime: 0 }))));
}

function describe(e: unknown): string {
  return e instanceof ConvexError ? JSON.stringify(e.data) : String((e as Error).message);
}

export async function runProgram(t: { mutation: (...a: any[]) => Promise<any> }, txns: Txn[]): Promise<string[]> {
  const out: string[] = [];
  for (const txn of txns) {
    try {
      out.push(...((await t.mutation(applyRef, txn)) as string[]));
    } catch (e) {
      out.push(`txn threw: ${describe(e)}`);
    }
  }
  out.push(...((await t.mutation(dumpRef, {})) as string[]));
  return out;
}

// ---- arbitraries ----
const table = fc.constantFrom<Table>(0, 0, 0, 1);
const poolIdx = fc.nat({ max: POOL.length - 1 });
const fieldsArb = fc.array(fc.tuple(fc.nat({ max: FIELD_NAMES.length - 1 }), poolIdx), { maxLength: 4 });
/** null most of the time: queries should often return many rows. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
const querySpec: fc.Arbitrary<QuerySpec> = fc
  .record({
    table,
    index: fc.constantFrom(null, "by_creation_time", "by_id", "by_k", "by_k", "by_k_s", "by_s_n_k", "by_s_n_k", "by_ox", "search_t"),
    eqs: fc.oneof(fc.constant<number[]>([]), fc.array(poolIdx, { minLength: 1, maxLength: 3 })),
    idPick: fc.tuple(table, fc.nat(40)),
    lower: rarely(fc.tuple(fc.constantFrom<"gt" | "gte">("gt", "gte"), poolIdx)),
    upper: rarely(fc.tuple(fc.constantFrom<"lt" | "lte">("lt", "lte"), poolIdx)),
    order: fc.constantFrom<"asc" | "desc">("asc", "desc"),
    filter: rarely(fc.tuple(fc.nat({ max: FIELD_NAMES.length - 1 }), poolIdx)),
    mode: fc.constantFrom<QuerySpec["mode"]>("collect", "first", "take", "paginate", "paginate"),
    n: fc.integer({ min: 1, max: 4 }),
  })
  .map((q) => (q.table === 1 && !["by_k", "by_id", "by_creation_time"].includes(q.index ?? "") ? { ...q, index: null } : q));

const { step } = fc.letrec<{ step: Step; steps: Step[] }>((tie) => ({
  step: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 5, arbitrary: fc.record({ op: fc.constant("insert" as const), table, fields: fieldsArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("bulk" as const), table, count: fc.integer({ min: 1, max: 25 }), seed: fc.nat(1000) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("patch" as const, "replace" as const), table, pick: fc.nat(40), fields: fieldsArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), table, pick: fc.nat(40) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant("query" as const), q: querySpec }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("nested" as const), steps: tie("steps") as fc.Arbitrary<Step[]>, fail: fc.boolean() }) },
  ),
  steps: fc.array(tie("step") as fc.Arbitrary<Step>, { maxLength: 5 }),
}));

const queryStep = querySpec.map((q): Step => ({ op: "query", q }));
/** Read-only transactions query committed state only (no pending writes): the cached-order paths. */
export const programArb: fc.Arbitrary<Txn[]> = fc.array(
  fc.oneof(fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 12 }), fail: fc.constantFrom(false, false, true) }), fc.record({ steps: fc.array(queryStep, { minLength: 1, maxLength: 8 }), fail: fc.constant(false) })),
  { minLength: 1, maxLength: 10 },
);
