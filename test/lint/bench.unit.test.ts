// The benchmark generates and lints a tree; here it runs small to check its figures, never its speed.
import { describe, expect, it } from "vitest";
import { benchLint } from "../../bench/lint";

describe("bench/lint", () => {
  it("reports files, SQL sites, findings and timing figures", async () => {
    const r = await benchLint({ files: 60 });
    expect(r).toMatchObject({ benchmark: "lint", files: 60 });
    expect(r.sqlSites as number).toBeGreaterThan(0);
    expect(r.errors as number).toBeGreaterThan(0);
    for (const k of ["wallClockMs", "filesPerSecond", "parserLoadMs"]) expect(typeof r[k]).toBe("number");
  });
});
