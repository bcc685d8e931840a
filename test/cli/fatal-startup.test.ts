// Start-up failures of `pg2convex run` as an operator meets them: each ends the process by itself, non-zero,
// with ONE stderr line saying what happened and how to fix it (no stack, no secret), and a signal always ends
// it. Before, a Convex failure at start-up left the PostgreSQL session open and the process alive for ever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { spawnCli } from "../support/cli-process";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { freePort } from "../../src/devtools/pg-cluster";
import { slotInfo } from "../../src/postgres";

const EXIT_WITHIN_MS = 45_000;
let slots = 0;

describe("pg2convex run: fatal start-up paths end the process with one line", () => {
  let env: MirrorEnv;
  let proxy: FaultProxy;
  let notConvex: Server;
  let notConvexUrl: string;
  const run = (vars: Record<string, string> = {}, args: string[] = []) =>
    spawnCli(["run", ...args], {
      DATABASE_URL: env.db.url,
      CONVEX_URL: env.convex.url,
      CONVEX_ADMIN_KEY: env.convex.adminKey,
      PG2CONVEX_SLOT: `${env.config.slot.slice(0, 50)}_${slots++}`,
      PG2CONVEX_METRICS_PORT: "0",
      LOG_LEVEL: "info",
      ...vars,
    });
  const expectOneLine = (lines: string[], pattern: RegExp) => {
    expect(lines, lines.join("\n")).toHaveLength(1);
    expect(lines[0]).toMatch(/^pg2convex run failed: \[[A-Z_]+\] /);
    expect(lines[0]).toMatch(pattern);
    expect(lines[0]).toMatch(/— fix: \S/);
  };

  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 3, courses: 2, stories: 10, users: 3 } });
    proxy = await startFaultProxy(env.convex.url);
    notConvex = createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<html><body>Not Found</body></html>"));
    await new Promise<void>((r) => notConvex.listen(0, "127.0.0.1", r));
    notConvexUrl = `http://127.0.0.1:${(notConvex.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => (notConvex ? notConvex.close(() => r()) : r()));
    await proxy?.close();
    await env?.close();
  });

  it("Convex unreachable for longer than --max-outage: exits 1 naming the URL", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const p = run({ CONVEX_URL: url }, ["--max-outage", "2s"]);
    const { code } = await p.exited(EXIT_WITHIN_MS);
    expect(code).toBe(1);
    expectOneLine(p.errorLines(), new RegExp(`\\[CONVEX_UNREACHABLE\\] cannot reach Convex at ${url.replace(/\./g, "\\.")}.*ECONNREFUSED.*gave up after failing for \\d+ s, longer than --max-outage`));
    // One line when it went down, none per attempt.
    expect(p.stdout().match(/Convex is down/g)).toHaveLength(1);
    expect(p.stdout()).not.toMatch(/"level":40[^\n]*Convex call failed; retrying/);
    expect(p.stdout() + p.stderr()).not.toContain(env.convex.adminKey);
  });

  it("a wrong admin key: exits 1 with CONVEX_AUTH, printing neither key", async () => {
    const wrong = `local-convex|wrong${"0".repeat(28)}`;
    const p = run({ CONVEX_ADMIN_KEY: wrong });
    const { code } = await p.exited(EXIT_WITHIN_MS);
    expect(code).toBe(1);
    expectOneLine(p.errorLines(), /\[CONVEX_AUTH\] Convex at http:\/\/127\.0\.0\.1:\d+ rejected the admin key.*CONVEX_ADMIN_KEY/);
    expect(p.stdout() + p.stderr()).not.toContain(wrong);
    expect(p.stdout() + p.stderr()).not.toContain(env.convex.adminKey);
  });

  it("a URL that is not a Convex deployment: exits 1 with CONVEX_NOT_A_DEPLOYMENT", async () => {
    const p = run({ CONVEX_URL: notConvexUrl });
    const { code } = await p.exited(EXIT_WITHIN_MS);
    expect(code).toBe(1);
    expectOneLine(p.errorLines(), new RegExp(`\\[CONVEX_NOT_A_DEPLOYMENT\\] ${notConvexUrl.replace(/\./g, "\\.")} is not a Convex deployment: it answered HTTP 404 for /api/query.*CONVEX_URL`));
  });

  it("a wrong --convex-module: exits 1 with CONVEX_FUNCTIONS_MISSING naming the function", async () => {
    const p = run({}, ["--convex-module", "mirrorx"]);
    const { code } = await p.exited(EXIT_WITHIN_MS);
    expect(code).toBe(1);
    expectOneLine(p.errorLines(), /\[CONVEX_FUNCTIONS_MISSING\] .*mirrorx:getState.*--convex-module/);
  });

  it("a fatal Convex error when the backfill begins: exits 1 and leaves nothing open (slot free)", async () => {
    const slot = `${env.config.slot.slice(0, 50)}_bf`;
    proxy.failAlways("400", "/api/mutation", "mirror:beginBackfill");
    try {
      const p = run({ CONVEX_URL: proxy.url, PG2CONVEX_SLOT: slot });
      const { code } = await p.exited(EXIT_WITHIN_MS);
      expect(code).toBe(1);
      expectOneLine(p.errorLines(), /\[CONVEX_PERMANENT\] .*mirror:beginBackfill/);
      // The slot it created is kept (the next start backfills against it) and nothing holds it.
      expect(await slotInfo(env.db.client, slot)).toMatchObject({ exists: true, active: false });
    } finally {
      proxy.clear();
    }
  });

  it("SIGTERM while start-up is still retrying Convex ends the process at once", async () => {
    const p = run({ CONVEX_URL: `http://127.0.0.1:${await freePort()}` });
    await p.waitFor(/Convex is down; retrying/);
    p.child.kill("SIGTERM");
    const { code, signal } = await p.exited(20_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(p.stdout()).toMatch(/stop requested while not streaming/);
  });

  it("an unhandled rejection becomes one line and a non-zero exit, not a Node crash dump", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pg2c-fatal-"));
    const reference = fileURLToPath(new URL("../../tables/reference.ts", import.meta.url));
    const mod = join(dir, "tables.mts");
    writeFileSync(mod, `import { referenceTables } from ${JSON.stringify(reference)};\nvoid Promise.reject(new Error("boom from the tables module"));\nexport const tables = referenceTables;\n`);
    const p = run({ PG2CONVEX_TABLES_MODULE: mod });
    const { code } = await p.exited(EXIT_WITHIN_MS);
    expect(code).not.toBe(0);
    const lines = p.errorLines();
    expect(lines, lines.join("\n")).toHaveLength(1);
    expect(lines[0]).toMatch(/^pg2convex: unhandled promise rejection \(a bug, please report it\): boom from the tables module at /);
  });
});
