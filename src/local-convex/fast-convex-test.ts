// Loads a patched copy of convex-test whose in-memory database finds documents by index instead of
// scanning. Stock convex-test 0.0.60 lists the keys of ALL documents of ALL tables for every query
// and scans + sorts the whole table for every index range, so a mutation doing ~1,000 point look-ups
// over 25k documents takes seconds and grows quadratically. The patch keeps its semantics (results,
// order, errors, limits) and only changes how candidate documents are found (see ./fast-index.ts).
//
// How: read convex-test's dist/index.js, apply the exact string patches of ./convex-test-patches.ts (and
// ./convex-test-validation-patches.ts: validator errors that name the table and path, like the backend's)
// (each anchor must occur exactly once and the version must be the pinned one, else a Pg2ConvexError
// says which), point its imports at absolute URLs (convex/server and convex/values resolved from
// this project, so they are the very module instances our code and the app's functions use), write
// it to a cache file named by its hash and import() that.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { convexTest as ConvexTestFn } from "convex-test";
import { Pg2ConvexError } from "../errors";
import { PATCHES, TRAILER } from "./convex-test-patches";
import { VALIDATION_PATCHES, VALIDATION_TRAILER } from "./convex-test-validation-patches";
import { FastIndex, type FakeDb, type Internals } from "./fast-index";

export const EXPECTED_CONVEX_TEST_VERSION = "0.0.60";
export type ConvexTest = typeof ConvexTestFn;

/** What one transaction used, as convex-test counts it against Convex's limits (`used` of getTransactionMetrics). */
export interface TransactionUsage {
  databaseQueries: number;
  documentsRead: number;
  bytesRead: number;
  documentsWritten: number;
  bytesWritten: number;
}

interface PatchedModule {
  convexTest: ConvexTest;
  __pg2convexTakeMetrics(): Record<string, { used: number }> | null;
  __pg2convexInstall(factory: (db: FakeDb) => FastIndex): void;
  __pg2convexInternals: Internals;
}

let loading: Promise<ConvexTest> | undefined;
let takeMetrics: PatchedModule["__pg2convexTakeMetrics"] | undefined;

/** The usage of the last top-level transaction the patched copy committed (then forgotten), if any. */
export function takeTransactionUsage(): TransactionUsage | null {
  const m = takeMetrics?.();
  if (!m) return null;
  const used = (k: string) => m[k]?.used ?? 0;
  return { databaseQueries: used("databaseQueries"), documentsRead: used("documentsRead"), bytesRead: used("bytesRead"), documentsWritten: used("documentsWritten"), bytesWritten: used("bytesWritten") };
}

/** convexTest from the patched copy; loaded once per process. */
export function loadFastConvexTest(): Promise<ConvexTest> {
  return (loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  }));
}

async function load(): Promise<ConvexTest> {
  const entry = import.meta.resolve("convex-test");
  const mod = (await import(writeCached(patchSource(readFileSync(fileURLToPath(entry), "utf8"), entry, installedVersion(entry))))) as PatchedModule;
  const internals = mod.__pg2convexInternals;
  mod.__pg2convexInstall((db) => new FastIndex(db, internals));
  takeMetrics = mod.__pg2convexTakeMetrics;
  return mod.convexTest;
}

function installedVersion(entry: string): string {
  try {
    return (JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", entry)), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The patched module text; throws when convex-test is not the version the anchors were written for. */
export function patchSource(source: string, entry: string, version: string): string {
  const fail = (what: string) =>
    new Pg2ConvexError("INTERNAL", `Cannot patch convex-test ${version} for the local Convex stand-in: ${what} (the patch is written for convex-test ${EXPECTED_CONVEX_TEST_VERSION})`, {
      context: { convexTest: fileURLToPath(entry), installed: version, expected: EXPECTED_CONVEX_TEST_VERSION },
      fix: `install convex-test ${EXPECTED_CONVEX_TEST_VERSION} exactly (npm ci), or update src/local-convex/convex-test-patches.ts`,
    });
  if (version !== EXPECTED_CONVEX_TEST_VERSION) throw fail(`installed version is ${version}`);
  let text = source;
  for (const p of [...PATCHES, ...VALIDATION_PATCHES]) {
    const at = text.indexOf(p.find);
    if (at < 0 || text.indexOf(p.find, at + 1) >= 0) throw fail(`anchor "${p.name}" ${at < 0 ? "not found" : "found more than once"}`);
    text = text.slice(0, at) + p.replace + text.slice(at + p.find.length);
  }
  const imports: Record<string, string> = {
    "convex/server": import.meta.resolve("convex/server"),
    "convex/values": import.meta.resolve("convex/values"),
    "./transactionMetrics.js": new URL("./transactionMetrics.js", entry).href,
    "node:async_hooks": "node:async_hooks",
  };
  const seen = new Set<string>();
  text = text.replace(/^(import [^;]*? from )"([^"]+)";$/gms, (_all, head: string, spec: string) => {
    const url = imports[spec];
    if (url === undefined) throw fail(`unexpected import "${spec}"`);
    seen.add(spec);
    return `${head}${JSON.stringify(url)};`;
  });
  for (const spec of Object.keys(imports)) if (!seen.has(spec)) throw fail(`import "${spec}" not found`);
  if (/\bimport\s*\(|\brequire\s*\(/.test(text)) throw fail("unexpected dynamic import or require");
  return text + TRAILER + VALIDATION_TRAILER;
}

/** Writes `text` to a cache file named by its hash (atomically: temp file + rename) and returns its URL. */
function writeCached(text: string): string {
  const file = join(tmpdir(), `pg2convex-convex-test-${createHash("sha256").update(text).digest("hex").slice(0, 20)}.mjs`);
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }
  return pathToFileURL(file).href;
}
