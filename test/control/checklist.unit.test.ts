// The checklist's derived items (control/checklist.ts) and the drill's probe caller: pure rules.
import { describe, expect, it } from "vitest";
import { checklistOf } from "../../src/mirror-functions/control/checklist";
import { bucketOf } from "../../src/mirror-functions/control/rules";
import { probeCaller } from "../../src/cli/commands/drill-watch";
import type { MigrationDoc } from "../../src/mirror-functions/control/store";

const DAY = 86_400_000;
const now = 100 * DAY;
const doc = (over: Partial<MigrationDoc> = {}): MigrationDoc => ({ _id: "x", table: "story", phase: "mirror", percent: 0, updatedAt: now - DAY, checklist: [], ...over });
const at = (list: ReturnType<typeof checklistOf>, item: string) => list.find((c) => c.item === item)!;

describe("checklist", () => {
  it("parity green becomes true gateDays after the streak began, and not before", () => {
    expect(at(checklistOf({ doc: doc(), greenSince: now - 6.9 * DAY, gateDays: 7, alerts: null }, now), "parityGreen").at).toBeNull();
    const green = at(checklistOf({ doc: doc(), greenSince: now - 8 * DAY, gateDays: 7, alerts: null }, now), "parityGreen");
    expect(green.at).toBe(now - DAY);
    expect(green.proof).toMatch(/parity clean since .* \(gate 7 d\)/);
  });

  it("read cut-over stable needs 100% for the window; alerts configured needs a live sidecar with webhooks", () => {
    const list = checklistOf({ doc: doc({ percent: 100, phase: "cutover", updatedAt: now - 3 * DAY }), greenSince: null, gateDays: 2, alerts: { webhooks: 0, since: 0 } }, now);
    expect(at(list, "readCutoverStable").at).toBe(now - DAY);
    expect(at(list, "alertsConfigured").at).toBeNull();
    expect(at(checklistOf({ doc: doc({ percent: 50, updatedAt: now - 30 * DAY }), greenSince: null, gateDays: 2, alerts: { webhooks: 2, since: 5 } }, now), "readCutoverStable").at).toBeNull();
    expect(at(checklistOf({ doc: null, greenSince: null, gateDays: 2, alerts: { webhooks: 2, since: 5 } }, now), "alertsConfigured")).toMatchObject({ at: 5, proof: expect.stringMatching(/2 alert webhook/) });
  });

  it("recorded items come from the document, in the plan's order, and a derived item cannot be forged by a record", () => {
    const d = doc({
      checklist: [
        { item: "rollbackTested", at: 7, proof: "drill d1" },
        { item: "parityGreen", at: 1, proof: "forged" },
      ],
    });
    const list = checklistOf({ doc: d, greenSince: null, gateDays: 7, alerts: null }, now);
    expect(list.map((c) => c.item)).toEqual(["backfillComplete", "idempotencyTested", "alertsConfigured", "parityGreen", "readCutoverStable", "rollbackTested", "postgresWritesRemoved"]);
    expect(at(list, "rollbackTested")).toEqual({ item: "rollbackTested", at: 7, proof: "drill d1" });
    expect(at(list, "parityGreen").at).toBeNull();
  });

  it("the drill's probe caller lies in the requested buckets", () => {
    for (const [from, to] of [
      [0, 5],
      [20, 25],
      [0, 1],
      [99, 100],
    ] as const) {
      const b = bucketOf("story", probeCaller("story", from, to));
      expect(b).toBeGreaterThanOrEqual(from);
      expect(b).toBeLessThan(to);
    }
  });
});
