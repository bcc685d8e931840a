// The app's convex/schema.ts and convex/mirror.ts (and hand-written _generated/ stand-ins until
// `npx convex dev` writes the real ones). Written only when absent: these files also hold the app's own
// tables and functions, so init never overwrites them; it prints what they must contain instead.

/** `importPath`: from the convex folder to the definitions module, e.g. "../tables". */
export function renderConvexSchema(importPath: string): string {
  return [
    "// The app's Convex schema: the pg2convex mirror's tables, built from the definitions, plus the app's own.",
    'import { defineSchema } from "convex/server";',
    'import { mirrorTables } from "pg2convex/convex";',
    `import { tables } from ${JSON.stringify(importPath)};`,
    "",
    "export default defineSchema({",
    "  ...mirrorTables(tables),",
    "  // your own tables: name: defineTable({ … }),",
    "});",
    "",
  ].join("\n");
}

/** `functions`: the names defineMirrorFunctions returns (the bridge calls each as "mirror:<name>"). */
export function renderConvexMirror(importPath: string, functions: readonly string[]): string {
  return [
    '// The functions the pg2convex bridge calls as "mirror:<name>" (internal: only a deploy/admin key can call them; readFrom and readFlags are public and return no mirrored data).',
    'import { defineMirrorFunctions } from "pg2convex/convex";',
    `import { tables } from ${JSON.stringify(importPath)};`,
    "",
    "export const {",
    ...functions.map((f) => `  ${f},`),
    "} = defineMirrorFunctions(tables);",
    "",
  ].join("\n");
}

/** Stand-ins for `npx convex codegen` output, so `pg2convex local-convex --convex-dir convex` serves the folder at once. */
export const GENERATED_STANDINS: Readonly<Record<string, string>> = {
  "server.js": [
    "/* eslint-disable */",
    "// Stand-in written by `pg2convex init`; `npx convex dev` / `npx convex codegen` replaces it.",
    'export { queryGeneric as query, mutationGeneric as mutation, actionGeneric as action, internalQueryGeneric as internalQuery, internalMutationGeneric as internalMutation, internalActionGeneric as internalAction, httpActionGeneric as httpAction } from "convex/server";',
    "",
  ].join("\n"),
  "api.js": [
    "/* eslint-disable */",
    "// Stand-in written by `pg2convex init`; `npx convex dev` / `npx convex codegen` replaces it.",
    'import { anyApi, componentsGeneric } from "convex/server";',
    "export const api = anyApi;",
    "export const internal = anyApi;",
    "export const components = componentsGeneric();",
    "",
  ].join("\n"),
};
