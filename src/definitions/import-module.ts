// Loads a user's definitions module (.ts/.mts/.cts/.tsx or .js/.mjs/.cjs) whatever its package's module type.
// A .ts file in a package without "type": "module" is CommonJS to Node's rules; loaded through the global tsx
// hooks it fails with "Cannot require() ES Module … in a cycle". tsx's tsImport loads it in its own scoped
// loader instead, which handles both module types; JavaScript goes through Node's own import(). A CommonJS
// module's exports arrive as the namespace's `default`, so both places are returned merged.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const TS = /\.(ts|mts|cts|tsx)$/;

export async function importUserModule(modulePath: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(modulePath)).href;
  const ns = TS.test(modulePath) ? ((await (await import("tsx/esm/api")).tsImport(url, import.meta.url)) as Record<string, unknown>) : ((await import(url)) as Record<string, unknown>);
  const cjs = ns.default;
  return cjs && typeof cjs === "object" && !Array.isArray(cjs) ? { ...(cjs as Record<string, unknown>), ...ns } : ns;
}
