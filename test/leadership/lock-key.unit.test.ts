// The leadership lock's key: stable per slot (every process of a slot competes for the same lock), distinct
// across slots, and inside int4 so pg_try_advisory_lock(int4, int4) takes it.
import { describe, expect, it } from "vitest";
import { LOCK_CLASS, slotLockKey } from "../../src/postgres/advisory-lock";
import { walsenderName } from "../../src/leadership/slot-takeover";

describe("leadership lock key", () => {
  it("is stable for a slot and differs between slots", () => {
    expect(slotLockKey("pg2convex")).toEqual(slotLockKey("pg2convex"));
    expect(slotLockKey("pg2convex").objId).not.toBe(slotLockKey("pg2convex_b").objId);
    for (const s of ["a", "pg2convex", "x".repeat(63)]) {
      const k = slotLockKey(s);
      expect(k.classId).toBe(LOCK_CLASS);
      expect(Number.isInteger(k.objId) && k.objId >= -(2 ** 31) && k.objId < 2 ** 31).toBe(true);
    }
    expect(() => slotLockKey("Bad-Name")).toThrow();
  });

  it("names walsenders by mirror id within PostgreSQL's 63 bytes", () => {
    const name = walsenderName("0b7c2f4e-8a31-4c52-9d0e-2f1a3b4c5d6e");
    expect(name).toBe("pg2convex:0b7c2f4e-8a31-4c52-9d0e-2f1a3b4c5d6e");
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });
});
