// The shared Convex client against the local stand-in, through a fault proxy and through servers that stall:
// readers and parity get the sink's retries, every call has a timeout, and failures arrive typed.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { createConvexClient, createMirrorReader, type ConvexClientOptions } from "../../src/convex-client";
import { ConvexParity } from "../../src/parity/convex-side";
import { Pg2ConvexError } from "../../src/errors";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";

const fast = { minRetryMs: 5, maxRetryMs: 20 };

/** A server that accepts requests and answers them only as `answer` says: never, or headers and half a body. */
async function stallingServer(answer: "never" | "half-body"): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    req.resume();
    if (answer === "half-body") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"status":"succ');
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("the call succeeded"),
    (e: unknown) => e as Pg2ConvexError,
  );

describe("the Convex client", () => {
  let convex: LocalConvexHandle;
  let proxy: FaultProxy;
  beforeAll(async () => {
    convex = await withLocalConvex();
    proxy = await startFaultProxy(convex.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await convex?.close();
  });
  const via = (extra: Partial<ConvexClientOptions> = {}) => ({ url: proxy.url, adminKey: convex.adminKey, ...fast, ...extra });
  const queries = () => proxy.requests.filter((r) => r.includes("/api/query")).length;

  it("retries a reader's query through 5xx answers and a dropped connection", async () => {
    const reader = createMirrorReader(via());
    const before = queries();
    proxy.failNext("503", 2, "/api/query");
    expect((await reader.state("s")).phase).toBe("new");
    proxy.failNext("reset", 1, "/api/query");
    expect(await reader.countRows("language")).toBe(0);
    expect(queries() - before).toBe(5);
  });

  it("retries parity's own queries", async () => {
    const parity = new ConvexParity(createMirrorReader(via()));
    const before = queries();
    proxy.failNext("503", 1, "/api/query");
    expect(await parity.status()).toEqual([]);
    proxy.failNext("reset", 1, "/api/query");
    expect(await parity.changed("language", 0n)).toBe(false);
    expect(queries() - before).toBe(4);
  });

  it("takes the retry count as an option and says when it gave up", async () => {
    proxy.failAlways("503", "/api/query");
    try {
      let before = queries();
      const once = await failure(createConvexClient({ ...via({ retries: 0 }), module: "mirror" }).query("getState", { slot: "s" }));
      expect(queries() - before).toBe(1);
      expect([once.code, once.retryable, once.message]).toEqual(["CONVEX_TRANSIENT", true, "Convex call failed: HTTP 503: upstream overloaded"]);
      before = queries();
      const thrice = await failure(createConvexClient({ ...via({ retries: 2 }), module: "mirror" }).query("getState", { slot: "s" }));
      expect(queries() - before).toBe(3);
      expect(thrice.message).toBe("Convex call failed: HTTP 503: upstream overloaded (gave up after 3 attempts)");
      expect(thrice.context.function).toBe("mirror:getState");
    } finally {
      proxy.clear();
    }
  });

  for (const answer of ["never", "half-body"] as const) {
    it(`times out a call whose answer ${answer === "never" ? "never comes" : "stops halfway"}, and retries it`, async () => {
      const stall = await stallingServer(answer);
      try {
        const err = await failure(createConvexClient({ url: stall.url, adminKey: convex.adminKey, module: "mirror", timeoutMs: 150, retries: 1, ...fast }).query("getState", { slot: "s" }));
        expect(err.code).toBe("CONVEX_UNREACHABLE");
        expect(err.retryable).toBe(true);
        expect(err.message).toBe(`Convex at ${stall.url} did not answer /api/query within 150 ms (gave up after 2 attempts)`);
        expect(stall.requests()).toBe(2);
      } finally {
        await stall.close();
      }
    });
  }

  it("maps a reader's failures to typed errors: a wrong admin key is not retried", async () => {
    const before = queries();
    const err = await failure(createMirrorReader(via({ adminKey: "wrong-key-123456" })).state("s"));
    expect(err.code).toBe("CONVEX_AUTH");
    expect(err.message).not.toMatch(/wrong-key-123456/);
    expect(queries() - before).toBe(1);
  });

  it("names the missing parity functions and a fix that points at documentation that exists", async () => {
    const err = await failure(new ConvexParity(createMirrorReader(via({ module: "nosuch" }))).status());
    expect(err.code).toBe("CONVEX_FUNCTIONS_MISSING");
    expect(err.context.function).toBe("nosuch:parityStatus");
    const doc = /see (\S+), "([^"]+)" → "([^"]+)"/.exec(err.fix ?? "");
    expect(doc, err.fix).not.toBeNull();
    const [, file, section, subsection] = doc!;
    const text = readFileSync(new URL(`../../${file!}`, import.meta.url), "utf8");
    const headings = text.split("\n").filter((l) => /^#+ /.test(l));
    const at = headings.findIndex((h) => h.startsWith("## ") && h.includes(section!));
    expect(at, `no section "${section}" in ${file}`).toBeGreaterThanOrEqual(0);
    const next = headings.findIndex((h, i) => i > at && h.startsWith("## "));
    expect(headings.slice(at + 1, next === -1 ? undefined : next)).toContain(`### ${subsection}`);
  });
});
