// Resolves a function path against the app's entry points and enforces what the backend enforces
// before running anything (convex-backend `ValidatedPathAndArgs`), with the backend's messages:
//  - an internal function called without the admin key gets the SAME error as a missing one, so
//    callers cannot probe which internal functions exist;
//  - calling a function through the wrong endpoint names both kinds.
// Registered functions carry their kind and visibility as flags set by convex/server's builders
// (`isQuery`/`isMutation`/`isAction`, `isPublic`/`isInternal`).
import type { ConvexApp } from "./modules";
import type { UdfKind } from "./protocol";

export interface ResolvedFunction {
  /** "module:export", what convex-test's makeFunctionReference lookups expect. */
  udfPath: string;
  kind: UdfKind;
  isPublic: boolean;
}

export type Resolution = { ok: true; fn: ResolvedFunction } | { ok: false; message: string };

interface RegisteredFlags {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
}

/** "lib/math:double", "lib/math.js:double", "messages" (→ default export). */
export function splitPath(path: string): { module: string; name: string } {
  const colon = path.lastIndexOf(":");
  const rawModule = colon === -1 ? path : path.slice(0, colon);
  const name = colon === -1 ? "default" : path.slice(colon + 1);
  return { module: rawModule.replace(/\.js$/, ""), name };
}

export function resolveFunction(app: ConvexApp, path: string, expected: UdfKind | "any", admin: boolean): Resolution {
  const { module, name } = splitPath(path);
  const missing = {
    ok: false as const,
    message: `Could not find public function for '${module}:${name}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
  };
  const exported = app.entryPoints.get(module)?.[name];
  const flags = (typeof exported === "function" || typeof exported === "object") && exported !== null ? (exported as RegisteredFlags) : undefined;
  const kind = flags?.isQuery ? "query" : flags?.isMutation ? "mutation" : flags?.isAction ? "action" : undefined;
  if (!flags || !kind) return missing;
  const isPublic = flags.isPublic === true;
  if (!isPublic && !admin) return missing;
  if (expected !== "any" && expected !== kind) {
    return { ok: false, message: `Trying to execute ${module}.js:${name} as ${title(expected)}, but it is defined as ${title(kind)}.` };
  }
  return { ok: true, fn: { udfPath: `${module}:${name}`, kind, isPublic } };
}

function title(kind: UdfKind): string {
  return kind[0]!.toUpperCase() + kind.slice(1);
}
