/* eslint-disable */
/** Hand-written stand-in for `npx convex codegen` output. */
import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";
import type * as mirror from "../mirror.js";

declare const fullApi: ApiFromModules<{
  mirror: typeof mirror;
}>;
export declare const api: FilterApi<typeof fullApi, FunctionReference<any, "public">>;
export declare const internal: FilterApi<typeof fullApi, FunctionReference<any, "internal">>;
export declare const components: {};
