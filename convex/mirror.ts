// The bridge calls these as "mirror:<name>" (internal functions: deploy-key access only).
import { defineMirrorFunctions } from "../src/mirror-functions";
import { referenceTables } from "../src/reference/tables";

export const { applyBatch, beginBackfill, finishBackfill, resetMirror, getState, countRows, getRows, getByKeys, listRejects } =
  defineMirrorFunctions(referenceTables);
