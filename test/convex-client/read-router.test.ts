// The app-side read router (src/convex-client/read-router.ts) through the real ConvexHttpClient, against a small
// HTTP server speaking Convex's query protocol whose answers and delays the test controls: a copy asked for
// longer ago than maxAgeMs answers "postgres" even when the flag it holds is fit (Convex slow, a request that
// hangs), and a hung request never stops the polling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { createReadRouter } from "../../src/convex-client/read-router";
import { waitUntil } from "../support/wait";

describe("read router", () => {
  let server: Server;
  let url: string;
  let percent = 100;
  let hang = false;
  let asked = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        asked++;
        if (hang) return; // never answered
        const flags = [{ table: "story", percent, unfit: [], validUntil: Number.MAX_SAFE_INTEGER }];
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success", value: flags, logLines: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("answers postgres once its copy is older than maxAgeMs, and keeps polling through a hung request", async () => {
    const router = createReadRouter({ url, tables: ["story"], pollMs: 100, maxAgeMs: 800 });
    try {
      await router.ready();
      expect(router.source("story", "user-1")).toBe("convex");
      expect(router.source("other", "user-1")).toBe("postgres");

      // Convex stops answering: the fit copy is trusted for maxAgeMs after it was asked for, no longer.
      hang = true;
      const hungAt = Date.now();
      await waitUntil("postgres while Convex hangs", () => router.source("story", "user-1") === "postgres", 10_000);
      expect(Date.now() - hungAt).toBeLessThan(800 + 1500);
      const before = asked;
      // Polling goes on past the hung request (each poll has a time-out).
      await waitUntil("a poll after the hung one", () => asked >= before + 2, 10_000);
      expect(router.source("story", "user-1")).toBe("postgres");

      // Answers again, with a rollback in between: the new copy wins at once.
      percent = 0;
      hang = false;
      await waitUntil("the rolled-back copy", () => asked > before + 2 && router.source("story", "user-1") === "postgres", 10_000);
      percent = 100;
      await waitUntil("convex again once fresh answers arrive", () => router.source("story", "user-1") === "convex", 10_000);
    } finally {
      router.close();
    }
  });
});
