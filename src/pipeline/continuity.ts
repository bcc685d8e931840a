// Continuity: before streaming (at every start, and before any reconnect) the bridge proves that the slot it
// is about to read continues exactly the mirror Convex holds, or refuses with the recovery. Why it is exact:
//  - PostgreSQL is never confirmed past what Convex records (src/checkpoint): so the slot of a continuing
//    mirror has confirmed_flush_lsn ≤ the checkpoint's endLsn, and PostgreSQL redelivers every transaction
//    committed from the checkpoint on. A slot ahead of the checkpoint (dropped and recreated, e.g. teardown
//    then `setup --create-slot`) skipped transactions the mirror never saw; nothing can replay them.
//  - LSNs compare only within one PostgreSQL system and a slot belongs to one database: the identity recorded
//    in Convex (system identifier, database, slot) must be the connected one's.
//  - Convex refuses writes naming another mirror id (mirror-functions/apply/mirror-identity.ts): a deployment that
//    lost its state while the bridge ran cannot silently take the stream's next batch.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Logger } from "../log";
import type { MirrorIdentity, MirrorState } from "../mirror-functions/wire/protocol";
import type { Sink } from "../sink";
import { Pg2ConvexError } from "../errors";
import { REBUILD_FIX } from "../errors/recovery";
import { formatLsn, type Lsn } from "../model/lsn";
import { readSystemIdentity, slotInfo, type PgSystemIdentity } from "../postgres";
import { mirrorRefusal } from "../convex-client/mirror-refusal";

export interface ContinuityInput {
  pg: pg.ClientBase;
  /** For the IDENTIFY_SYSTEM fallback when pg_control_system() is not granted. */
  connectionString: string;
  slot: string;
  /** Convex's state for the slot, read just before. */
  state: MirrorState;
  /** On a reconnect: the mirror id this bridge streams as; Convex must still hold exactly that mirror. */
  expectedMirrorId?: string;
}

export interface ContinuityProof {
  /** The identity to stream as: the recorded one, or a new one for a mirror that records none yet. */
  identity: MirrorIdentity;
  /** Where the stream resumes (null: nothing to continue — a new mirror, which backfills). */
  resumesAt: Lsn | null;
  /** Slot position at the time of the proof. */
  confirmedFlushLsn: Lsn | null;
}

/** The LSN the mirror continues from: the stream checkpoint, or an unfinished backfill's snapshot. */
export function resumePoint(state: MirrorState): Lsn | null {
  if (state.phase === "stream" && state.commitLsn !== null && state.endLsn !== null) return state.endLsn;
  if (state.phase === "backfill" && state.snapshotLsn !== null) return state.snapshotLsn;
  return null;
}

/** Proves continuity or throws CONTINUITY_GAP, MIRROR_MISMATCH, SLOT_MISSING or PG_CHECK_FAILED (none retryable). */
export async function proveContinuity(input: ContinuityInput): Promise<ContinuityProof> {
  const { slot, state } = input;
  if (input.expectedMirrorId !== undefined && state.mirror?.mirrorId !== input.expectedMirrorId) {
    const found = state.mirror?.mirrorId ?? null;
    throw mirrorRefusal({ pg2c: found === null ? "MIRROR_STATE_LOST" : "MIRROR_MISMATCH", slot, expected: input.expectedMirrorId, found }, { phase: state.phase }, undefined);
  }
  const system = await readSystemIdentity(input.pg, input.connectionString);
  const recorded = state.mirror;
  if (recorded && (recorded.systemId !== system.systemId || recorded.database !== system.database || recorded.slot !== slot)) {
    throw new Pg2ConvexError(
      "MIRROR_MISMATCH",
      `Convex holds the mirror of database ${recorded.database} on PostgreSQL system ${recorded.systemId} (slot ${recorded.slot}), but this bridge is connected to database ${system.database} on system ${system.systemId}`,
      {
        context: { slot, mirrorId: recorded.mirrorId, recordedSystemId: recorded.systemId, systemId: system.systemId, recordedDatabase: recorded.database, database: system.database },
        fix: `point DATABASE_URL and CONVEX_URL at the same mirror, or ${REBUILD_FIX}`,
      },
    );
  }
  const resumesAt = resumePoint(state);
  const identity = recorded ?? newIdentity(system, slot);
  if (resumesAt === null) return { identity, resumesAt, confirmedFlushLsn: null };

  const info = await slotInfo(input.pg, slot);
  const context = { slot, database: system.database, checkpoint: formatLsn(resumesAt), phase: state.phase };
  if (!info.exists) {
    throw new Pg2ConvexError("SLOT_MISSING", `replication slot ${slot} does not exist, but the mirror in Convex continues from ${formatLsn(resumesAt)}: changes since the slot was dropped are gone`, { context, fix: REBUILD_FIX });
  }
  if (info.plugin !== "wal2json" || info.database !== system.database) {
    throw new Pg2ConvexError("PG_CHECK_FAILED", `replication slot ${slot} is not a wal2json slot of database ${system.database} (plugin ${info.plugin}, database ${info.database})`, {
      context,
      fix: "pass the --slot this mirror was made with, or rebuild the mirror under a new --slot",
    });
  }
  if (info.walStatus === "lost" || info.confirmedFlushLsn === null) {
    throw new Pg2ConvexError("SLOT_MISSING", `replication slot ${slot} lost WAL it had not streamed yet (wal_status = ${info.walStatus}): changes are gone`, {
      context,
      fix: `${REBUILD_FIX}; raise max_slot_wal_keep_size to keep this from recurring`,
    });
  }
  if (info.confirmedFlushLsn > resumesAt) {
    throw new Pg2ConvexError(
      "CONTINUITY_GAP",
      `replication slot ${slot} starts at ${formatLsn(info.confirmedFlushLsn)}, after the mirror's checkpoint ${formatLsn(resumesAt)} in Convex: changes committed in between (e.g. while the slot did not exist) would be silently missing, so streaming is refused`,
      { context: { ...context, confirmedFlushLsn: formatLsn(info.confirmedFlushLsn) }, fix: REBUILD_FIX },
    );
  }
  return { identity, resumesAt, confirmedFlushLsn: info.confirmedFlushLsn };
}

/** proveContinuity, then records the identity in Convex (if new) and binds it to the sink's writes. */
export async function establishContinuity(deps: Omit<ContinuityInput, "slot"> & { sink: Sink; slot: string; logger: Logger }): Promise<ContinuityProof> {
  const proof = await proveContinuity(deps);
  if (!deps.state.mirror && proof.resumesAt !== null) {
    deps.logger.warn({ slot: deps.slot, mirrorId: proof.identity.mirrorId }, "this mirror records no identity (made by an older pg2convex); recording one now");
  }
  await deps.sink.claimMirror(proof.identity, proof.resumesAt !== null);
  deps.logger.info(
    {
      slot: deps.slot,
      mirrorId: proof.identity.mirrorId,
      checkpoint: proof.resumesAt === null ? undefined : formatLsn(proof.resumesAt),
      confirmedFlushLsn: proof.confirmedFlushLsn === null ? undefined : formatLsn(proof.confirmedFlushLsn),
    },
    proof.resumesAt === null ? "new mirror: it will be backfilled" : "continuity proven: the slot resumes at or before the mirror's checkpoint",
  );
  return proof;
}

function newIdentity(system: PgSystemIdentity, slot: string): MirrorIdentity {
  return { mirrorId: randomUUID(), systemId: system.systemId, database: system.database, slot, createdAt: Date.now() };
}
