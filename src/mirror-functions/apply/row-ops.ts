// upsert / delete / reject ops. Each decides with version-rules.ts, then writes the row and keeps the
// reference ids (links.ts) and derived fields (aggregates.ts) consistent inside the same transaction.
import { getDocumentSize, type Value } from "convex/values";
import { Pg2ConvexError } from "../../errors";
import { VERSION_FIELD, type TableDef } from "../../definitions/types";
import { applyFeeds, zeroAggregates } from "./aggregates";
import { dropCarried, keepForMoves, takeCarried } from "./carry";
import type { TableInfo } from "../config";
import { adoptChildren, linkParents, propagateLookups, releaseChildren } from "./links";
import type { MirrorTx } from "./mirror-tx";
import { formatKey, keyString } from "../../model/key";
import { formatLsn } from "../../model/lsn";
import { CONVEX_LIMITS, type Op } from "../wire/protocol";
import type { Fields, Row } from "./row-store";
import { isNewer } from "./version-rules";

export type Outcome = "applied" | "skipped" | "rejected";
type UpsertOp = Extract<Op, { o: "upsert" }>;
type DeleteOp = Extract<Op, { o: "delete" }>;
type RejectOp = Extract<Op, { o: "reject" }>;

export async function applyUpsert(tx: MirrorTx, op: UpsertOp): Promise<Outcome> {
  const info = tx.config.table(op.t);
  const { def } = info;
  checkKey(def, op.k);
  const truncatedAt = await tx.system.truncatedAt(def.name);
  const skip = async (): Promise<Outcome> => {
    if (op.from) await dropCarried(tx, info, op);
    return "skipped";
  };
  if (truncatedAt !== null && op.ver < truncatedAt) return skip();
  const existing = await tx.rows.row(def, op.k);
  const tomb = existing ? null : await tx.system.tombstone(def.name, keyString(op.k));
  const current = existing ? (existing[VERSION_FIELD] as bigint) : (tomb?.ver ?? null);
  if (!isNewer({ ver: op.ver, current, truncatedAt, touchedInBatch: tx.wasTouched(def.name, op.k), streamedTx: tx.streamVer === op.ver })) return skip();
  await keepForMoves(tx, info, op, existing);
  const base = op.partial ? await partialBase(tx, info, op, existing) : existing;
  if (typeof base === "string") {
    // wal2json left out unchanged TOASTed columns and there is no row to take them from: inventing
    // values would store a row PostgreSQL never had. The row stays in PostgreSQL, replayable by key.
    await tx.reject({ table: def.name, key: op.k, ver: op.ver, code: "PARTIAL_WITHOUT_ROW", reason: `partial update (unchanged TOASTed columns omitted)${base}` });
    return "rejected";
  }
  const fields = buildRow(info, op, base, existing);
  await linkParents(tx, info, fields);
  const size = documentBytes(fields);
  if (size > CONVEX_LIMITS.documentBytes) {
    // Known only here when omitted columns were merged in; the stored doc (if any) stays as it was.
    await tx.reject({ table: def.name, key: op.k, ver: op.ver, code: "DOCUMENT_TOO_LARGE", reason: `row is ${size} bytes as a stored document; Convex stores at most ${CONVEX_LIMITS.documentBytes} bytes per document` });
    return "rejected";
  }
  tx.touch(def.name, op.k);
  if (existing) {
    const before = { ...existing };
    const after = await tx.rows.replace(def, existing, fields);
    await applyFeeds(tx, info, before, after);
    await propagateLookups(tx, info, before, after);
  } else {
    await applyFeeds(tx, info, null, fields);
    const row = await tx.rows.insert(def, fields);
    if (tomb) await tx.system.dropTombstone(tomb);
    await adoptChildren(tx, info, row);
  }
  return "applied";
}

export async function applyDelete(tx: MirrorTx, op: DeleteOp): Promise<Outcome> {
  const info = tx.config.table(op.t);
  const { def } = info;
  checkKey(def, op.k);
  const truncatedAt = await tx.system.truncatedAt(def.name);
  if (truncatedAt !== null && op.ver < truncatedAt) return "skipped";
  const existing = await tx.rows.row(def, op.k);
  const touchedInBatch = tx.wasTouched(def.name, op.k);
  if (existing && !isNewer({ ver: op.ver, current: existing[VERSION_FIELD] as bigint, truncatedAt, touchedInBatch, streamedTx: tx.streamVer === op.ver })) return "skipped";
  if (existing) {
    await keepForMoves(tx, info, op, existing);
    await removeRow(tx, info, existing);
  }
  // Without a doc the tombstone still matters: an older upsert arriving later must not resurrect the row.
  const raised = await tx.system.raiseTombstone(def.name, keyString(op.k), op.ver);
  if (!existing && !raised) return "skipped";
  tx.touch(def.name, op.k);
  return "applied";
}

export async function applyReject(tx: MirrorTx, op: RejectOp): Promise<Outcome> {
  let table = op.t;
  try {
    table = tx.config.table(op.t).def.name;
  } catch {
    // A reject for a table this deployment does not mirror is still worth keeping.
  }
  await tx.reject({ table, key: op.k, ver: op.ver, code: op.code, reason: op.reason });
  return "rejected";
}

/** Deletes a stored row through the path that keeps parents' aggregates and children's links right. */
export async function removeRow(tx: MirrorTx, info: TableInfo, row: Row): Promise<void> {
  await tx.rows.remove(info.def, row);
  await applyFeeds(tx, info, row, null);
  await releaseChildren(tx, info, row);
}

/**
 * What a partial upsert merges over, or why there is nothing it may merge over. A moved row's omitted columns
 * are its old key's (carry.ts); the doc at its new key is the fallback (a backfill resumed from a later
 * snapshot may already hold the row there). A doc older than a reject of its key is stale in unknown columns.
 */
async function partialBase(tx: MirrorTx, info: TableInfo, op: UpsertOp, existing: Row | null): Promise<Fields | string> {
  const carried = op.from ? await takeCarried(tx, info, { k: op.k, from: op.from, ver: op.ver }) : null;
  const moved = op.from ? ` of a row whose primary key changed from ${formatKey(op.from)}` : "";
  if (carried === "stale") return `${moved}: its stored row is older than a rejected change of it, so the omitted columns are unknown`;
  if (carried) return carried;
  if (!existing) return op.from ? `${moved}: neither the old nor the new key is in Convex` : " for a row not in Convex";
  const newer = await tx.system.rejectedAfter(info.def.name, keyString(op.k), existing[VERSION_FIELD] as bigint);
  if (newer) return `${moved}: the stored row is older than its rejected change at ${formatLsn(newer.ver)} (${newer.code}), so the omitted columns are unknown`;
  return existing;
}

/**
 * The stored fields for an upsert: incoming columns, for partial ops merged over `base` (the stored row, or
 * the columns carried from a moved row's old key), key, version, and the current derived values.
 */
function buildRow(info: TableInfo, op: UpsertOp, base: Fields | null, existing: Row | null): Fields {
  const d: Record<string, Value | undefined> = op.d !== null && typeof op.d === "object" ? op.d : {};
  const out: Fields = {};
  for (const c of info.def.columns) {
    if (info.derivedFields.has(c.name)) continue;
    const incoming = d[c.name];
    out[c.name] = incoming !== undefined ? incoming : op.partial && base ? (base[c.name] ?? null) : null;
  }
  info.def.primaryKey.forEach((c, i) => (out[c] = op.k[i] ?? null));
  out[VERSION_FIELD] = op.ver;
  // Derived values are never copied from PostgreSQL: keep the current ones (or start from zero).
  if (existing) for (const f of info.derivedFields) out[f] = existing[f];
  else Object.assign(out, zeroAggregates(info));
  return out;
}

/** Size of `fields` as a stored document (system fields included), as Convex counts it. */
function documentBytes(fields: Fields): number {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, Value>;
  return getDocumentSize(defined);
}

function checkKey(def: TableDef, key: readonly Value[]): void {
  if (key.length !== def.primaryKey.length) {
    throw new Pg2ConvexError("INTERNAL", `${def.name}: key ${formatKey(key)} does not match primary key (${def.primaryKey.join(", ")})`, { context: { table: def.name, key } });
  }
}
