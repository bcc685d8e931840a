// The control plane's pure rules: stable buckets (raising the share never moves a caller back to
// PostgreSQL), and "convex" only with a fresh heartbeat, lag under its limit, no dead letters, no drift.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketOf, DEFAULT_THRESHOLDS, readAnswer, unmetGates, type TableHealthInputs } from "../../src/mirror-functions/control/rules";

const now = 1_800_000_000_000;
const fit: TableHealthInputs = { heartbeat: { at: now - 1_000, lagSeconds: 1, applyFailures: 0, thresholds: DEFAULT_THRESHOLDS }, deadLetters: 0, drifted: false };

describe("read flag rules", () => {
  it("buckets are 0–99 and raising the percentage never sends a caller back to PostgreSQL", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (table, caller, a, b) => {
        const b0 = bucketOf(table, caller);
        expect(b0).toBeGreaterThanOrEqual(0);
        expect(b0).toBeLessThan(100);
        expect(bucketOf(table, caller)).toBe(b0);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        if (readAnswer(lo, table, caller, fit, now).source === "convex") expect(readAnswer(hi, table, caller, fit, now).source).toBe("convex");
      }),
    );
  });

  it("about N% of callers read from Convex at N%", () => {
    const callers = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    const share = callers.filter((c) => readAnswer(30, "story", c, fit, now).source === "convex").length / callers.length;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
  });

  it("any unfitness answers postgres, naming why", () => {
    const cases: [TableHealthInputs, RegExp][] = [
      [{ ...fit, heartbeat: null }, /no heartbeat/],
      [{ ...fit, heartbeat: { ...fit.heartbeat!, at: now - 16_000 } }, /heartbeat 16 s old \(limit 15 s\)/],
      [{ ...fit, heartbeat: { ...fit.heartbeat!, lagSeconds: 31 } }, /lag 31 s over 30 s/],
      [{ ...fit, deadLetters: 1 }, /1 unresolved dead letter/],
      [{ ...fit, drifted: true }, /drifted/],
    ];
    for (const [inputs, why] of cases) {
      const a = readAnswer(100, "story", "anyone", inputs, now);
      expect(a.source).toBe("postgres");
      expect(a.reason).toMatch(why);
    }
    expect(readAnswer(100, "story", "anyone", fit, now)).toMatchObject({ source: "convex", validUntil: fit.heartbeat!.at + DEFAULT_THRESHOLDS.staleAfterMs });
  });

  it("the cut-over gate needs the parity streak's days besides a fit mirror", () => {
    expect(unmetGates({ ...fit, greenSince: null, gateDays: 7 }, now)).toEqual(["parity is not green (no clean sample/full run since the last drift)"]);
    expect(unmetGates({ ...fit, greenSince: now - 6 * 86_400_000, gateDays: 7 }, now)).toEqual(["parity green for 6.00 d, the gate is 7 d"]);
    expect(unmetGates({ ...fit, greenSince: now - 8 * 86_400_000, gateDays: 7 }, now)).toEqual([]);
    expect(unmetGates({ ...fit, deadLetters: 2, greenSince: now - 8 * 86_400_000, gateDays: 7 }, now)).toEqual(["2 unresolved dead letter(s)"]);
  });
});
