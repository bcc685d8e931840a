// The dashboard's rendering: user-controlled text (table names, reasons, event details, keys) is escaped into
// HTML, configured secrets are scrubbed from the page and the JSON, the page loads nothing and runs no script,
// and the parity timeline states the gate. Browser-level behaviour is test/e2e/dashboard.test.ts.
import { describe, expect, it } from "vitest";
import { dashboardRoute, renderDashboard, type DashboardData } from "../../src/control/dashboard";

const now = Date.UTC(2026, 11, 2, 12, 0, 0);
const evil = `<img src=x onerror="alert(1)">&'`;

function data(over: Partial<DashboardData["tables"][number]> = {}): DashboardData {
  return {
    generatedAt: now,
    slot: "pg2convex",
    gateDays: 7,
    maxLagSeconds: 30,
    sidecar: { phase: "streaming", role: "leader", status: "ok", degraded: [], lagSeconds: 2 },
    heartbeat: { at: now - 3_000, lagSeconds: 1 },
    convexError: null,
    tables: [
      {
        table: `t${evil}`,
        phase: "canary",
        percent: 25,
        unfit: [],
        checklist: [
          { item: "backfillComplete", at: now - 86_400_000, proof: `backfill ${evil}` },
          { item: "rollbackTested", at: null, proof: null },
        ],
        deadLetters: { count: 1, recent: [{ id: "x1", at: now - 1000, key: evil, code: "DOCUMENT_TOO_LARGE", reason: `too big ${evil}` }] },
        parity: { greenSince: now - 2 * 86_400_000, gateMetAt: now + 5 * 86_400_000, runs: [{ startedAt: now - 2 * 86_400_000, mode: "sample", verdict: "clean", drift: 0, summary: "" }] },
        events: [{ at: now - 500, kind: "cutover", actor: evil, detail: `reads 0% → 25% ${evil}` }],
        ...over,
      },
    ],
  };
}

describe("dashboard rendering", () => {
  it("requests during a load share it; the next request loads again", async () => {
    let loads = 0;
    const route = dashboardRoute({ load: async () => (loads++, await new Promise((r) => setTimeout(r, 20)), data()) }, []);
    await Promise.all([route("GET", "/dashboard"), route("GET", "/dashboard.json"), route("GET", "/dashboard")]);
    expect(loads).toBe(1);
    await route("GET", "/dashboard.json");
    expect(loads).toBe(2);
  });

  it("escapes every piece of data: no tag or attribute comes from it", () => {
    const page = renderDashboard(data());
    expect(page).not.toContain("<img");
    expect(page).not.toContain(`onerror="`);
    // Table name ×6 (overview row data-table, link href and text; section id, data-table, heading), proof, key, reason, actor, detail.
    expect(page.split("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;").length - 1).toBe(11);
    expect(page).not.toMatch(/<script/i);
  });

  it("states the gate: green for 2 d of 7, met in the future; not green after drift", () => {
    expect(renderDashboard(data())).toMatch(/parity green for 2\.00 d of the 7 d gate \(met at 2026-12-07T12:00:00Z if it holds\)/);
    expect(renderDashboard(data({ parity: { greenSince: null, gateMetAt: null, runs: [{ startedAt: now - 1000, mode: "full", verdict: "drift", drift: 3, summary: "3 missing" }] } }))).toMatch(
      /parity not green[\s\S]*<li class="run drift"><time>2026-12-02T11:59:59Z<\/time> full <b>drift<\/b> \(3: 3 missing\)/,
    );
  });

  it("serves /dashboard with a no-script CSP and /dashboard.json, both scrubbed of secrets; anything else is not its route", async () => {
    const secret = "local-convex|s3cr3t-admin-key";
    const d = data({ events: [{ at: now, kind: "alert", actor: "x", detail: `failed calling with ${secret} and pw hunter22` }] });
    const route = dashboardRoute({ load: async () => d }, [secret, "hunter22"]);
    const page = await route("GET", "/dashboard?refresh=5")!;
    expect(page.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(page.body).toMatch(/<meta http-equiv="refresh" content="5"/);
    const json = await route("GET", "/dashboard.json")!;
    for (const body of [page.body, json.body]) {
      expect(body).not.toContain("s3cr3t");
      expect(body).not.toContain("hunter22");
      expect(body).toContain("***");
    }
    expect(JSON.parse(json.body).tables[0].percent).toBe(25);
    expect(route("GET", "/healthz")).toBeNull();
    expect(route("GET", "/dashboard/x")).toBeNull();
    expect((await route("POST", "/dashboard")!).status).toBe(405);
  });
});
