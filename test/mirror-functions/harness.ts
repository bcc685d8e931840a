/// <reference types="vite/client" />
// Runs the project's convex/ folder (reference schema + mirror functions) in convex-test, with Convex's
// transaction limits enforced, and offers terse op builders for the reference tables.
import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import type { Value } from "convex/values";
import schema from "../../convex/schema";
import type { ApplyBatchResult, MirrorState, Op } from "../../src/mirror-functions/wire/protocol";
import type { ApplyBatchArgs } from "../../src/mirror-functions/apply/apply-batch";

export const modules = import.meta.glob("../../convex/**/*.*s");

export type Mirror = ReturnType<typeof newMirror>;

export function newMirror(transactionLimits: boolean | Record<string, number> = true) {
  return convexTest({ schema, modules, transactionLimits });
}

export const fns = {
  applyBatch: makeFunctionReference<"mutation">("mirror:applyBatch"),
  beginBackfill: makeFunctionReference<"mutation">("mirror:beginBackfill"),
  finishBackfill: makeFunctionReference<"mutation">("mirror:finishBackfill"),
  resetMirror: makeFunctionReference<"mutation">("mirror:resetMirror"),
  getState: makeFunctionReference<"query">("mirror:getState"),
  countRows: makeFunctionReference<"query">("mirror:countRows"),
  getRows: makeFunctionReference<"query">("mirror:getRows"),
  getByKeys: makeFunctionReference<"query">("mirror:getByKeys"),
  listRejects: makeFunctionReference<"query">("mirror:listRejects"),
};

let batchNo = 0;

export async function apply(t: Mirror, ops: Op[], extra: Partial<ApplyBatchArgs> = {}): Promise<ApplyBatchResult> {
  const args: ApplyBatchArgs = { slot: "s1", batchId: `b${++batchNo}`, ops, ...extra };
  return (await t.mutation(fns.applyBatch as any, args)) as ApplyBatchResult;
}

/** Applies a batch, re-sending it while applyBatch reports it cut short. */
export async function applyFully(t: Mirror, ops: Op[], extra: Partial<ApplyBatchArgs> = {}): Promise<number> {
  const args = { batchId: `b${++batchNo}`, ...extra };
  for (let calls = 1; ; calls++) {
    const r = await apply(t, ops, args);
    if (r.complete) return calls;
    if (calls > 1000) throw new Error("batch never completes");
  }
}

export const state = (t: Mirror, slot = "s1") => t.query(fns.getState as any, { slot }) as Promise<MirrorState>;

export async function row(t: Mirror, table: string, id: Value): Promise<Record<string, any> | null> {
  const [doc] = (await t.query(fns.getByKeys as any, { table, keys: [[id]] })) as Array<Record<string, any> | null>;
  return doc ?? null;
}

/** All docs of a Convex table, via a raw read (tests only). */
export const allDocs = (t: Mirror, table: string) => t.run(async (ctx) => (await ctx.db.query(table as any).collect()) as Array<Record<string, any>>);

export const up = (t: string, id: Value, ver: bigint, d: Record<string, Value>, partial?: boolean): Op => ({
  o: "upsert",
  t,
  k: [id],
  ver,
  d: { id, ...d },
  ...(partial ? { partial } : {}),
});
export const del = (t: string, id: Value, ver: bigint): Op => ({ o: "delete", t, k: [id], ver });
export const trunc = (ts: string[], ver: bigint): Op => ({ o: "truncate", ts, ver });

// Full rows of the reference tables, with overridable columns.
export const language = (id: number, name: string, ver: bigint) => up("language", id, ver, { name, short: `l${id}`, flag: null, flag_file: null, speaker: null, default_text: null, tts_replace: null, public: true, rtl: false });
export const course = (id: number, ver: bigint, d: Record<string, Value> = {}) =>
  up("course", id, ver, {
    short: `c${id}`,
    learning_language: null,
    from_language: null,
    public: true,
    official: false,
    name: `course ${id}`,
    about: null,
    conlang: false,
    tags: null,
    count: 999,
    learning_language_name: "from pg",
    from_language_name: "from pg",
    contributors: [],
    contributors_past: [],
    todo_count: 999,
    ...d,
  });
export const story = (id: number, ver: bigint, d: Record<string, Value> = {}) =>
  up("story", id, ver, {
    duo_id: null,
    name: `story ${id}`,
    set_id: 1,
    set_index: id,
    author: null,
    author_change: null,
    date: 1.5e12,
    change_date: 1.5e12,
    date_published: null,
    text: "lorem ipsum",
    public: true,
    image: null,
    course_id: null,
    json: null,
    status: "draft",
    deleted: false,
    todo_count: 0,
    ...d,
  });
export const storyDone = (id: number, ver: bigint, storyId: number | null) => up("story_done", id, ver, { user_id: 7, story_id: storyId, time: 1.6e12 });
