import { describe, expect, it } from "vitest";
import { statusIntervalFor } from "../../src/postgres/wal-sender-timeout";

describe("status interval for a wal_sender_timeout", () => {
  it("is a quarter of the timeout, between 100 ms and 10 s, and 10 s when the timeout is off", () => {
    expect(statusIntervalFor(60_000)).toBe(10_000);
    expect(statusIntervalFor(3_000)).toBe(750);
    expect(statusIntervalFor(200)).toBe(100);
    expect(statusIntervalFor(0)).toBe(10_000);
  });
});
