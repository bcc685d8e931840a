// The dashboard's data from a real Convex stand-in over HTTP: the control queries as the sidecar reads them
// (a parity run recorded through the real mutation shows on the timeline of its tables only), and a Convex
// that cannot be reached leaves the page up with the sidecar's own state and an error without the key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { createConvexClient } from "../../src/convex-client";
import { createDashboardSource, dashboardRoute, type DashboardSource } from "../../src/control/dashboard";

describe("dashboard data from Convex", () => {
  let convex: LocalConvexHandle;
  let source: DashboardSource;
  const sidecar = async () => ({ phase: "streaming", role: "leader" as const, status: "ok", degraded: [], lagSeconds: 4 });

  beforeAll(async () => {
    convex = await withLocalConvex();
    const client = createConvexClient({ url: convex.url, adminKey: convex.adminKey, module: "mirror", retries: 0, timeoutMs: 5_000 });
    source = createDashboardSource({ client, tables: ["story", "course"], slot: "s1", gateDays: 7, maxLagSeconds: 30, sidecar });
  });
  afterAll(async () => {
    await convex?.close().catch(() => undefined);
  });

  it("shows each table's parity runs newest first, with the gate counted from the green streak", async () => {
    const client = createConvexClient({ url: convex.url, adminKey: convex.adminKey, module: "mirror", retries: 0 });
    const t0 = Date.now() - 3 * 86_400_000;
    const run = (runId: string, startedAt: number, verdict: "clean" | "drift") =>
      client.mutation("recordParityRun", {
        runId,
        slot: "s1",
        mode: "sample",
        startedAt,
        finishedAt: startedAt + 1000,
        reportVersion: 1,
        tables: [{ table: "story", verdict, drift: verdict === "drift" ? 2 : 0, inFlight: 0, summary: verdict === "drift" ? "2 missing" : "" }],
      });
    await run("r1", t0, "drift");
    await run("r2", t0 + 86_400_000, "clean");
    const d = await source.load();
    expect(d.convexError).toBeNull();
    expect(d.sidecar.lagSeconds).toBe(4);
    const [story, course] = d.tables;
    expect(story!.parity.runs.map((r) => [r.verdict, r.drift, r.summary])).toEqual([
      ["clean", 0, ""],
      ["drift", 2, "2 missing"],
    ]);
    expect(story!.parity.greenSince).toBe(t0 + 86_400_000);
    expect(story!.parity.gateMetAt).toBe(t0 + 8 * 86_400_000);
    expect(course!.parity).toEqual({ greenSince: null, gateMetAt: null, runs: [] });
    expect(story).toMatchObject({ phase: "mirror", percent: 0, deadLetters: { count: 0, recent: [] }, events: [] });
    expect(story!.checklist.map((c) => c.at)).toEqual(Array(7).fill(null));
  });

  it("answers while Convex is unreachable: the sidecar's state and the error, no key", async () => {
    await convex.close();
    const route = dashboardRoute(source, [convex.adminKey]);
    const res = await route("GET", "/dashboard.json")!;
    const d = JSON.parse(res.body);
    expect(d.sidecar.phase).toBe("streaming");
    expect(d.tables).toEqual([]);
    expect(d.convexError).toMatch(/\S/);
    const page = await route("GET", "/dashboard")!;
    expect(page.body).toMatch(/id="convex-error">Convex could not be read: /);
    for (const body of [res.body, page.body]) expect(body).not.toContain(convex.adminKey.split("|").pop()!);
  });
});
