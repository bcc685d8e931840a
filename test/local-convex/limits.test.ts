// Convex's limits as the stand-in enforces them: per-transaction limits (through convex-test with
// transactionLimits: true), the 16 MiB argument limit, and the HTTP body cap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fn, post, startFixture, type Fixture } from "./support";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f.server.close();
});

const MiB = 1024 * 1024;
/** `count` strings of one MiB each (minus a little, so `count` of them stay under count MiB of Convex size). */
const parts = (count: number, each = MiB - 64) => Array.from({ length: count }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(each));

describe("transaction limits", () => {
  it("allows exactly 16,000 documents written in one mutation", async () => {
    expect(await f.anon.mutation(fn.writeMany, { batch: "at-limit", n: 16_000 })).toBe(16_000);
    expect(await f.anon.query(fn.countBatch, { batch: "at-limit" })).toBe(16_000);
  });

  it("fails the 16,001st write with Convex's limit text and commits none of the mutation's writes", async () => {
    await expect(f.anon.mutation(fn.writeMany, { batch: "over-limit", n: 16_001 })).rejects.toThrow(/Wrote too many documents in a single function execution \(limit: 16000\)\. This is a Convex limit/);
    expect(await f.anon.query(fn.countBatch, { batch: "over-limit" })).toBe(0);
  });
});

describe("argument and body size", () => {
  it("accepts arguments just under 16 MiB", async () => {
    const args = parts(16, MiB - 1024);
    expect(await f.anon.mutation(fn.measure, { parts: args })).toBe(16 * (MiB - 1024));
  });

  it("refuses arguments over 16 MiB with the backend's message", async () => {
    await expect(f.anon.mutation(fn.measure, { parts: parts(17) })).rejects.toThrow(/Arguments for app\.js:measure are too large \(actual: 17\.\d\d MiB, limit: 16 MiB\)/);
  });

  it("refuses request bodies over 40 MiB with 413 PayloadTooLarge after reading them", async () => {
    const body = JSON.stringify({ path: "app:measure", format: "convex_encoded_json", args: [{ parts: parts(41, MiB) }] });
    const res = await post(`${f.server.url}/api/mutation`, body);
    expect(res.status).toBe(413);
    expect(res.json.code).toBe("PayloadTooLarge");
    expect(res.json.message).toMatch(/accepts at most 40 MiB/);
    // The server is still healthy afterwards.
    expect(await f.anon.query(fn.hello, { name: "after" })).toBe("hello after");
  });
});
