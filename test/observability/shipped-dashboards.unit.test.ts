// The shipped Prometheus rules and Grafana dashboard only name metrics the sidecar really exports, and
// cover every metric of the team's plan (write success rate, latency, pending retries, drift, lag, dead letters).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/observability/metrics";

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");
const base = (m: string) => m.replace(/_(bucket|sum|count)$/, "");

describe("shipped alerting rules and dashboard", async () => {
  const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
  const files = { rules: read("docker/prometheus/pg2convex-rules.yml"), dashboard: read("docker/grafana/pg2convex-dashboard.json") };

  it("name only metrics the sidecar exports", () => {
    for (const [file, text] of Object.entries(files)) {
      const used = [...text.matchAll(/pg2convex_[a-z_]+/g)].map((m) => base(m[0]));
      expect(used.length, file).toBeGreaterThan(3);
      for (const m of used) expect(exported.has(m), `${file} uses ${m}, which the sidecar does not export`).toBe(true);
    }
  });

  it("the dashboard has a panel for each metric of the plan", () => {
    const titles = (JSON.parse(files.dashboard) as { panels: { title: string }[] }).panels.map((p) => p.title);
    for (const want of [/success rate/i, /latency/i, /pending retr/i, /drift per table/i, /^lag$/i, /dead letters/i])
      expect(
        titles.some((t) => want.test(t)),
        String(want),
      ).toBe(true);
  });
});
