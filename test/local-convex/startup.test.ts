// Loading a Convex folder and starting the server: which files count as functions, and the errors
// an operator gets for a bad folder, key or port.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeFunctionReference } from "convex/server";
import { afterAll, describe, expect, it } from "vitest";
import { Pg2ConvexError } from "../../src/errors";
import { loadConvexModules, startLocalConvex } from "../../src/local-convex";
import { PROJECT_CONVEX_DIR, withLocalConvex } from "../../src/local-convex/testing";
import { ADMIN_KEY, FIXTURE_CONVEX_DIR, fn, startFixture } from "./support";

const scratch = mkdtempSync(join(tmpdir(), "local-convex-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function appDir(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

async function failure(p: Promise<unknown>): Promise<Pg2ConvexError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Pg2ConvexError);
  return e as Pg2ConvexError;
}

describe("loadConvexModules", () => {
  it("maps _generated first, then schema and deployable modules, skipping what Convex skips", async () => {
    const keys = Object.keys(await loadConvexModules(FIXTURE_CONVEX_DIR));
    expect(keys[0]).toMatch(/_generated\//);
    expect(keys).toEqual(expect.arrayContaining(["convex/_generated/server.js", "convex/_generated/api.js", "convex/schema.ts", "convex/app.ts", "convex/lib/math.ts"]));
    expect(keys.some((k) => k.endsWith(".d.ts") || k.includes("helpers.config"))).toBe(false);
  });

  it("does not serve files Convex would not deploy (names with two dots)", async () => {
    const f = await startFixture();
    try {
      await expect(f.admin.query(makeFunctionReference<"query">("helpers.config:hidden"), {})).rejects.toThrow(/Could not find public function/);
      expect(await f.anon.query(fn.double, { x: 1 })).toBe(2);
    } finally {
      await f.server.close();
    }
  });

  it("explains a missing folder, a missing _generated folder and a module that fails to import", async () => {
    expect((await failure(loadConvexModules(join(scratch, "absent")))).code).toBe("CONFIG_INVALID");
    const noGenerated = await failure(loadConvexModules(appDir("no-generated", { "app.js": "export const x = 1;\n" })));
    expect(noGenerated.message).toMatch(/No _generated folder/);
    expect(noGenerated.fix).toMatch(/npx convex codegen/);
    const broken = await failure(loadConvexModules(appDir("broken", { "_generated/api.js": "export const api = {};\n", "broken.js": 'throw new Error("broken at import");\n' })));
    expect(broken.message).toMatch(/Could not load Convex module broken\.js: broken at import/);
    expect(broken.context.file).toBe("broken.js");
  });
});

describe("startLocalConvex", () => {
  it("refuses an empty admin key and a port that is taken", async () => {
    expect((await failure(startLocalConvex({ convexDir: FIXTURE_CONVEX_DIR, adminKey: "" }))).message).toMatch(/non-empty admin key/);
    const first = await startLocalConvex({ convexDir: FIXTURE_CONVEX_DIR, adminKey: ADMIN_KEY });
    try {
      const taken = await failure(startLocalConvex({ convexDir: FIXTURE_CONVEX_DIR, adminKey: ADMIN_KEY, port: first.port }));
      expect(taken.message).toMatch(/could not listen/);
      expect(taken.fix).toMatch(/another --port/);
    } finally {
      await first.close();
    }
  });

  it("keeps connections alive with no server idle timeout, so a client reusing one is never reset", async () => {
    const f = await startFixture();
    try {
      const res = await fetch(`${f.server.url}/api/query`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: "app:hello", format: "convex_encoded_json", args: [{ name: "x" }] }) });
      expect(res.status).toBe(200);
      await res.text();
      expect(res.headers.get("connection")).toBe("keep-alive");
      // A "Keep-Alive: timeout=N" hint means the server closes idle connections itself, racing the client.
      expect(res.headers.get("keep-alive")).toBeNull();
    } finally {
      await f.server.close();
    }
  });

  it("frees its port on close(), even with an idle keep-alive client", async () => {
    const f = await startFixture();
    expect(await f.anon.query(fn.hello, { name: "x" })).toBe("hello x");
    await f.server.close();
    await expect(f.anon.query(fn.hello, { name: "x" })).rejects.toThrow(/fetch failed/);
  });
});

describe("withLocalConvex", () => {
  it("defaults to the project's convex/ folder, resolved from the module file", () => {
    const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
    expect(PROJECT_CONVEX_DIR).toBe(join(repoRoot, "convex"));
  });

  it("returns an admin client for a fresh deployment", async () => {
    const lc = await withLocalConvex(FIXTURE_CONVEX_DIR);
    try {
      expect(lc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await lc.client.query(fn.internalSecret, {})).toBe("secret");
      expect(await lc.client.query(fn.getCounter, { name: "c" })).toBe(0);
    } finally {
      await lc.close();
    }
  });
});
