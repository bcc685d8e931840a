import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { createConvexSink } from "../../src/sink";
import { createMirrorReader } from "../../src/convex-client/mirror-reader";
import { silentLogger } from "../../src/log";
import { Pg2ConvexError } from "../../src/errors";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import type { Batch } from "../../src/plan";

const languageRow = (id: number, name: string) => ({ id, name, short: `s${id}`, flag: null, flag_file: null, speaker: null, default_text: null, tts_replace: null, public: true, rtl: false });
const batch = (lsn: bigint, id: number, name: string): Batch => ({
  id: `b-${lsn}`,
  ops: [{ o: "upsert", t: "language", k: [id], ver: lsn, d: languageRow(id, name) }],
  checkpoint: { commitLsn: lsn, endLsn: lsn + 1n },
  txCount: 1,
  rowCount: 1,
});

describe("Convex sink over HTTP", () => {
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
  const sink = (adminKey = convex.adminKey) => createConvexSink({ url: proxy.url, adminKey, slot: "s", module: "mirror", logger: silentLogger, minRetryMs: 5, maxRetryMs: 20, retries: 4 });
  const mutations = () => proxy.requests.filter((r) => r.includes("/api/mutation")).length;

  it("retries 5xx and dropped connections, then applies the batch exactly once", async () => {
    const before = mutations();
    proxy.failNext("503", 2);
    await sink().apply(batch(100n, 1, "one"));
    proxy.failNext("reset", 1);
    await sink().apply(batch(200n, 2, "two"));
    expect(mutations() - before).toBe(5);
    const reader = createMirrorReader({ url: convex.url, adminKey: convex.adminKey });
    expect((await reader.getByKeys("language", [[1], [2]])).map((d) => d?.name)).toEqual(["one", "two"]);
    expect(await reader.countRows("language")).toBe(2);
    expect((await reader.state("s")).commitLsn).toBe(200n);
  });

  it("does not retry a permanent failure and leaves the checkpoint where it was", async () => {
    const before = mutations();
    proxy.failAlways("400");
    const err = await sink()
      .apply(batch(300n, 3, "three"))
      .catch((e: unknown) => e);
    proxy.clear();
    expect(err).toBeInstanceOf(Pg2ConvexError);
    expect((err as Pg2ConvexError).code).toBe("CONVEX_PERMANENT");
    expect((err as Pg2ConvexError).retryable).toBe(false);
    expect(mutations() - before).toBe(1);
    const reader = createMirrorReader({ url: convex.url, adminKey: convex.adminKey });
    expect((await reader.state("s")).commitLsn).toBe(200n);
  });

  it("reports a wrong admin key as an auth error, without retrying", async () => {
    const before = mutations();
    const err = (await sink("wrong-key-123456")
      .apply(batch(400n, 4, "x"))
      .catch((e: unknown) => e)) as Pg2ConvexError;
    expect(err.code).toBe("CONVEX_AUTH");
    expect(err.fix).toMatch(/CONVEX_ADMIN_KEY/);
    expect(mutations() - before).toBe(1);
  });

  it("surfaces a failing mutation (unknown table) as permanent with the function named", async () => {
    const bad: Batch = { ...batch(500n, 5, "y"), ops: [{ o: "upsert", t: "no_such_table", k: [5], ver: 500n, d: {} }] };
    const err = (await sink()
      .apply(bad)
      .catch((e: unknown) => e)) as Pg2ConvexError;
    expect(err.code).toBe("CONVEX_PERMANENT");
    expect(err.context.function).toBe("mirror:applyBatch");
    expect(err.message).toMatch(/no_such_table/);
  });
});
