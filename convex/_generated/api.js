/* eslint-disable */
/**
 * Hand-written stand-in for `npx convex codegen` output (same layout and exports).
 * `api` and `internal` resolve any path, e.g. internal.mirror.applyBatch.
 */
import { anyApi, componentsGeneric } from "convex/server";

export const api = anyApi;
export const internal = anyApi;
export const components = componentsGeneric();
