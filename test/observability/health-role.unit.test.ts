// /readyz tells the leader from a standby, /healthz stays 200 for a healthy standby, and a slot problem from the
// slot guard degrades /healthz with its reason.
import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { healthBody, startHealthServer, type HealthState } from "../../src/observability/health";

describe("health: leader, standby and the slot guard", () => {
  it("answers /readyz 200 for the streaming leader and 503 for a standby, /healthz 200 for both", async () => {
    const state: HealthState = { phase: "standby", role: "standby" };
    const server = await startHealthServer({ host: "127.0.0.1", port: 0, registry: new Registry(), state: () => state });
    try {
      let r = await fetch(`${server.url}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ role: "standby", phase: "standby" });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      Object.assign(state, { role: "leader", phase: "backfill" });
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      state.phase = "streaming";
      r = await fetch(`${server.url}/readyz`);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ role: "leader", phase: "streaming" });
    } finally {
      await server.close();
    }
  });

  it("degrades /healthz with the slot guard's problem", () => {
    const slot = { walStatus: "unreserved", retainedWalBytes: 1, lagBytes: 1, lagSeconds: 0, problem: "slot s is about to be invalidated" };
    expect(healthBody({ phase: "streaming", role: "leader", slot }, 0)).toMatchObject({ status: "degraded", degraded: ["slot s is about to be invalidated"] });
    expect(healthBody({ phase: "standby", role: "standby" }, 0)).toMatchObject({ status: "ok" });
  });
});
