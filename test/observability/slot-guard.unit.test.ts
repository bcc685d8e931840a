// The slot guard's verdicts: each wal_status maps to a health state, and an invalidated or dropped slot is a
// fatal SLOT_MISSING whose fix names the rebuild and max_slot_wal_keep_size.
import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { evaluateSlot, slotGauges } from "../../src/observability/slot-guard";
import type { SlotInfo } from "../../src/postgres/slot-admin";

const info = (over: Partial<SlotInfo>): SlotInfo => ({
  slot: "s1",
  exists: true,
  active: true,
  activePid: 1,
  plugin: "wal2json",
  database: "app",
  restartLsn: 1000n,
  confirmedFlushLsn: 1500n,
  walStatus: "reserved",
  currentWalLsn: 2000n,
  lagBytes: 500n,
  retainedBytes: 1000n,
  ...over,
});

describe("slot guard", () => {
  it("a reserved slot is healthy and reports retained WAL and lag", () => {
    expect(evaluateSlot(info({}), 3)).toEqual({ health: { walStatus: "reserved", retainedWalBytes: 1000, lagBytes: 500, lagSeconds: 3 } });
  });

  it("extended and unreserved degrade health with what is wrong", () => {
    expect(evaluateSlot(info({ walStatus: "extended" }), 0).health.problem).toMatch(/more than max_wal_size/);
    const v = evaluateSlot(info({ walStatus: "unreserved" }), 0);
    expect(v.health.problem).toMatch(/about to be invalidated.*max_slot_wal_keep_size/);
    expect(v.fatal).toBeUndefined();
  });

  it("an invalidated slot is fatal with the recovery steps", () => {
    const v = evaluateSlot(info({ walStatus: "lost", restartLsn: null, retainedBytes: null }), 0);
    expect(v.fatal?.code).toBe("SLOT_MISSING");
    expect(v.fatal?.fix).toMatch(/teardown --yes --reset-convex && pg2convex run.*max_slot_wal_keep_size/);
    expect(evaluateSlot(info({ exists: false }), 0).fatal?.code).toBe("SLOT_MISSING");
  });

  it("gauges are registered once per registry and track the status", async () => {
    const registry = new Registry();
    slotGauges(registry).record({ walStatus: "extended", retainedWalBytes: 10, lagBytes: 5, lagSeconds: 2 });
    slotGauges(registry).record({ walStatus: "reserved", retainedWalBytes: 20, lagBytes: 0, lagSeconds: 0 });
    const text = await registry.metrics();
    expect(text).toContain("pg2convex_slot_retained_wal_bytes 20");
    expect(text).toContain('pg2convex_slot_wal_status{status="reserved"} 1');
    expect(text).toContain('pg2convex_slot_wal_status{status="extended"} 0');
  });
});
