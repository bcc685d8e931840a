import { describe, expect, it } from "vitest";
import { formatKey } from "../../src/model/key";

describe("formatKey", () => {
  it("prints keys as people read them: int8 as digits, strings quoted, composite keys in parentheses", () => {
    expect(formatKey([900012])).toBe("900012");
    expect(formatKey([9007199254740993n])).toBe("9007199254740993");
    expect(formatKey(["fr", 3n])).toBe('("fr", 3)');
    expect(formatKey([null, true])).toBe("(null, true)");
    expect(formatKey([new Uint8Array([0xde, 0xad]).buffer])).toBe("\\xdead");
    expect(formatKey([{ a: 1n }])).toBe('{"a": 1}'); // int8 inside json prints as digits too
  });
});
