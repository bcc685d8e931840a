// Property: however the batches of a history arrive (shuffled, duplicated, replayed), Convex ends in
// the state of applying them once in order, that state holds exactly PostgreSQL's final rows, and
// every reference id and derived field equals its definition recomputed from those rows.
// Partial (TOAST) upserts are left out: they need in-order delivery per key (see row-ops.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "convex/values";
import type { Op } from "../../src/mirror-functions/wire/protocol";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { referenceTables } from "../../tables/reference";
import { allDocs, apply, applyFully, newMirror, type Mirror } from "./harness";
import { expectedRows, historyArb, TABLES, type Rows } from "./history";

const config = mirrorConfig(referenceTables);

function chunk<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  for (let i = 0, s = 0; i < items.length; s++) {
    const n = sizes[s % sizes.length]!;
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Every mirrored doc as comparable data: reference ids replaced by the parent's key. */
async function snapshot(t: Mirror) {
  const docs = Object.fromEntries(await Promise.all(TABLES.map(async (table) => [table, await allDocs(t, table)] as const)));
  const keyOfId = new Map<unknown, Value>();
  for (const table of TABLES) for (const d of docs[table]!) keyOfId.set(d._id, d.id);
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const table of TABLES) {
    const info = config.table(table);
    out[table] = {};
    for (const { _id, _creationTime, ...d } of docs[table]!) {
      for (const { ref } of info.refs) d[ref.field] = d[ref.field] === undefined ? null : (keyOfId.get(d[ref.field]) ?? "dangling");
      out[table]![String(d.id)] = d;
    }
  }
  return out;
}

function checkAgainstDefinitions(snap: Awaited<ReturnType<typeof snapshot>>, rows: Rows) {
  for (const table of TABLES) {
    const info = config.table(table);
    expect(Object.keys(snap[table]!).sort(), table).toEqual([...rows[table].keys()].map(String).sort());
    for (const [id, row] of rows[table]) {
      const doc = snap[table]![String(id)]!;
      for (const c of info.def.columns) if (!info.derivedFields.has(c.name)) expect(doc[c.name], `${table}.${c.name}`).toEqual(row[c.name]);
      for (const { ref, parent } of info.refs) {
        const raw = row[ref.column] ?? null;
        expect(doc[ref.field], `${table}[${id}].${ref.field}`).toEqual(raw !== null && rows[parent.name as keyof Rows].has(raw) ? raw : null);
      }
    }
  }
  for (const [id, c] of rows.course) {
    const stories = [...rows.story.values()].filter((s) => s.course_id === id);
    const name = (lang: Value | undefined) => (lang == null ? null : (rows.language.get(lang)?.name ?? null));
    expect(snap.course![String(id)]).toMatchObject({
      count: stories.filter((s) => s.public === true && s.deleted === false).length,
      todo_count: stories.reduce((n, s) => n + (s.todo_count as number), 0),
      learning_language_name: name(c.learning_language),
      from_language_name: name(c.from_language),
    });
  }
}

async function inOrder(batches: Op[][]) {
  const t = newMirror();
  for (const b of batches) await applyFully(t, b);
  return snapshot(t);
}

describe("convergence (property)", () => {
  it("shuffled and duplicated batches end where in-order delivery ends, and match the definitions", async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArb({ truncates: true }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (history, sizes, orderKeys, dups) => {
          const ops = history.flatMap((txn) => txn.ops);
          const batches = chunk(ops, sizes);
          const expected = await inOrder(batches);
          checkAgainstDefinitions(expected, expectedRows(ops));

          const delivery = batches
            .map((b, i) => ({ b, k: orderKeys[i % 40]! }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.b);
          if (batches.length > 0) for (const d of dups) delivery.splice(d % (delivery.length + 1), 0, batches[d % batches.length]!);
          const t = newMirror();
          for (const b of delivery) await applyFully(t, b);
          expect(await snapshot(t)).toEqual(expected);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("with checkpoints, in-order delivery with earlier batches re-sent (bridge restarts) changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(historyArb({ truncates: true }), fc.array(fc.nat(), { maxLength: 6 }), async (history, replays) => {
        // One batch per transaction, each carrying its checkpoint.
        const batches = history.map((txn) => ({ ops: txn.ops, checkpoint: { commitLsn: txn.ver, endLsn: txn.ver + 1n } }));
        const expected = await inOrder(batches.map((b) => b.ops));
        const t = newMirror();
        for (let i = 0; i < batches.length; i++) {
          await applyFully(t, batches[i]!.ops, { checkpoint: batches[i]!.checkpoint });
          for (const r of replays.filter((r) => r % batches.length === i)) {
            const old = batches[r % (i + 1)]!;
            expect((await apply(t, old.ops, { checkpoint: old.checkpoint })).applied).toBe(0);
          }
        }
        expect(await snapshot(t)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});
