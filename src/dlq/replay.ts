// Replays one dead letter: PostgreSQL's current row (read-current.ts: text-exact read and its version),
// decoded and planned exactly as the backfill does (toChange, the batcher: undecodable → a reject change,
// over Convex's limit → a reject op), then applied and settled by the replayDeadLetter mutation
// (mirror-functions/control/replay.ts). A row that still cannot be stored is reported, never recorded again:
// the entry stays open and nothing in Convex changes.
import type pg from "pg";
import { ConvexError, type Value } from "convex/values";
import type { ConvexClient } from "../convex-client";
import type { TableGraph } from "../definitions/graph";
import type { TableSet } from "../definitions/types";
import { toChange } from "../backfill";
import { Pg2ConvexError } from "../errors";
import { formatKey, keyString } from "../model/key";
import type { RowChange } from "../model/changes";
import { formatLsn } from "../model/lsn";
import { pgTextOfKey } from "../parity/keys";
import { createBatcher } from "../plan";
import type { Op } from "../mirror-functions/wire/protocol";
import type { ReplayResult } from "../mirror-functions/control/replay";
import { readCurrent } from "./read-current";

export interface DeadLetter {
  _id: string;
  table: string;
  key: Value[];
  ver: bigint;
  resolvedAt?: number;
  resolvedVia?: string;
}

export interface ReplayDeps {
  pg: pg.ClientBase;
  client: ConvexClient;
  tables: TableSet;
  graph: TableGraph;
  slot: string;
  mirrorId?: string | undefined;
  actor: string;
  waitMs: number;
  /** Runs between the read and the apply (tests use it to let a newer change reach Convex first). */
  beforeApply?: () => Promise<void>;
}

export type ReplayReport =
  { id: string; table: string; key: string; ok: true; ver: string | null; result: ReplayResult | "already-resolved"; deleted: boolean } | { id: string; table: string; key: string; ok: false; code: string; column: string | null; reason: string };

export async function replayEntry(deps: ReplayDeps, e: DeadLetter): Promise<ReplayReport> {
  const base = { id: e._id, table: e.table, key: formatKey(e.key) };
  if (e.resolvedAt !== undefined) return { ...base, ok: true, ver: null, result: "already-resolved", deleted: false };
  const fail = (code: string, reason: string): ReplayReport => ({ ...base, ok: false, code, column: /column "([^"]+)"/.exec(reason)?.[1] ?? null, reason });
  const def = deps.tables.find((t) => t.name === e.table);
  if (!def) return fail("UNKNOWN_TABLE", `table ${e.table} is not in the mirrored definitions`);
  const keyText = pgTextOfKey(def, e.key);
  if (!keyText) return fail("CONFIG_INVALID", "the key has no PostgreSQL text form to look the row up by");
  const cur = await readCurrent(deps.pg, def, keyText, { waitMs: deps.waitMs });
  const change = cur.row ? toChange(def, cur.row, cur.ver) : ({ kind: "delete", table: def.name, key: e.key, lsn: cur.ver } as const);
  if (change.kind === "reject") return fail(change.code, change.reason);
  if (change.kind === "truncate" || keyString(change.key) !== keyString(e.key)) return fail("INTERNAL", "the row read back has another key");
  const op = planOne(deps.graph, change);
  if (op.o === "reject") return fail(op.code, op.reason);
  if (op.o !== "upsert" && op.o !== "delete") throw new Pg2ConvexError("INTERNAL", `a replay planned a ${op.o} op`);
  await deps.beforeApply?.();
  try {
    const result = await deps.client.mutation<ReplayResult>("replayDeadLetter", { slot: deps.slot, ...(deps.mirrorId ? { mirrorId: deps.mirrorId } : {}), id: e._id, op, actor: deps.actor }, { context: { table: e.table, key: base.key } });
    return { ...base, ok: true, ver: formatLsn(cur.ver), result, deleted: op.o === "delete" };
  } catch (err) {
    const data = err instanceof Pg2ConvexError && err.cause instanceof ConvexError ? (err.cause.data as { pg2convex?: string; code?: string; message?: string }) : null;
    if (data?.pg2convex === "DEAD_LETTER_UNSTORABLE") return fail(data.code ?? "REJECTED", data.message ?? "rejected by the mutation");
    throw err;
  }
}

/** The one op the batcher plans for one row change (the backfill's planning, so limits are checked alike). */
function planOne(graph: TableGraph, change: RowChange): Op {
  const batcher = createBatcher(graph);
  const batches = [...batcher.add({ xid: 0, commitLsn: change.lsn, endLsn: change.lsn, commitTime: new Date(), changes: [change] }), ...batcher.flush()];
  const ops = batches.flatMap((b) => b.ops);
  if (ops.length !== 1) throw new Pg2ConvexError("INTERNAL", `a replay of one row planned ${ops.length} ops`);
  return ops[0]!;
}
