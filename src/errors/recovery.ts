// The one recovery for a mirror whose continuity with PostgreSQL cannot be proven: erase the Convex mirror
// (rows and bookkeeping), drop the slot, and let `run` create a new slot with an exported snapshot and
// backfill from it. Named once so every refusal gives the same, tested command line.
export const REBUILD_MIRROR = "pg2convex teardown --yes --reset-convex && pg2convex run";

export const REBUILD_FIX = `rebuild the mirror from PostgreSQL: ${REBUILD_MIRROR} (erases the Convex mirror tables, drops the slot, backfills again)`;
