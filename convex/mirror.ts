// The bridge calls these as "mirror:<name>" (internal functions: deploy-key access only).
import { defineMirrorFunctions } from "../src/mirror-functions";
import { defineMirrorTestFunctions } from "../test/support/convex-tamper";
import { referenceTables } from "../tables/reference";

export const {
  applyBatch,
  claimMirror,
  claimLeadership,
  beginBackfill,
  finishBackfill,
  resetMirror,
  getState,
  countRows,
  getRows,
  getByKeys,
  listRejects,
  settleRejects,
  parityScan,
  parityKeys,
  parityChanged,
  parityDocChecks,
  parityFeeds,
  parityFeedFor,
  recordParityRun,
  parityStatus,
  readFrom,
  readFlags,
  cutover,
  rollback,
  reportHealth,
  deadLetter,
  resolveDeadLetter,
  replayDeadLetter,
  migrationStatus,
  parityRuns,
  drill,
  recordChecklist,
  requestResync,
  recordDrift,
  listDrift,
  listDriftEntries,
  clearDrift,
  definitions,
} = defineMirrorFunctions(referenceTables);

// This deployment is the project's own test/demo stand-in, so it also carries the guarded test-only
// mutation the parity tests use to inject drift. An app's convex/ folder does not export it.
export const { debugTamper } = defineMirrorTestFunctions(referenceTables);
