// parseTimestamp's allocation-free path for the canonical form (src/decode/values/time.ts) against the regular
// expression path: any text near the forms PostgreSQL prints (fractions of 0-7 digits, offsets +HH, -HH:MM,
// +HH:MM:SS, BC, T for the space, out-of-range fields, stray characters, years beyond 9999) gives the same result.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTimestamp, parseTimestampText } from "../../src/decode/values/time";

const pad = (n: number, w: number) => String(n).padStart(w, "0");
const text = fc
  .record({
    year: fc.oneof(
      fc.integer({ min: 0, max: 9999 }).map((y) => pad(y, 4)),
      fc.constantFrom("12345", "0001", "294276", "1970"),
    ),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 60 }),
    sep: fc.constantFrom(" ", " ", " ", "T", "x"),
    fraction: fc.oneof(fc.constant(""), fc.stringMatching(/^\.[0-9]{1,7}$/), fc.constantFrom(".", ".12a")),
    zone: fc.constantFrom("", "+00", "-05", "+05:30", "-03:30:15", "+1", "+001", "Z"),
    bc: fc.constantFrom("", "", "", " BC"),
  })
  .map((p) => `${p.year}-${pad(p.month, 2)}-${pad(p.day, 2)}${p.sep}${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}${p.fraction}${p.zone}${p.bc}`);

describe("parseTimestamp's canonical fast path", () => {
  it("gives what the regular expression path gives, for timestamptz and timestamp", () => {
    fc.assert(
      fc.property(text, fc.boolean(), (t, withZone) => {
        const expected = parseTimestampText(t, withZone);
        const actual = parseTimestamp(t, withZone);
        expect(Object.is(actual, expected), `${t} (${withZone}): ${actual} vs ${expected}`).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it("reads the common forms to the microsecond", () => {
    expect(parseTimestamp("2026-12-02 17:40:51.664588+00", true)).toBe(Date.UTC(2026, 11, 2, 17, 40, 51) + 664.588);
    expect(parseTimestamp("2026-12-02 17:40:51.5-05", true)).toBe(Date.UTC(2026, 11, 2, 22, 40, 51) + 500);
    expect(parseTimestamp("1970-01-01 00:00:00", false)).toBe(0);
    expect(parseTimestamp("2026-13-02 17:40:51+00", true)).toBeUndefined();
    expect(parseTimestamp("2026-12-02 17:40:51+00", false)).toBeUndefined();
  });
});
