// Issue 12 item 9: a reject of an int8 key, recorded in Convex through the real sink, reads back in `status`'s
// reject summary as decimal digits, not as Convex's wire form ({"$integer": "AQAAAAAAIAA="}).
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createConvexClient } from "../../src/convex-client";
import { withLocalConvex, type LocalConvexHandle } from "../../src/local-convex/testing";
import { silentLogger } from "../../src/log";
import { readRejectSummary, rejectLines } from "../../src/observability/reject-summary";
import { createConvexSink } from "../../src/sink";

const APP = fileURLToPath(new URL("../fixtures/floats-app/convex", import.meta.url));
const BIG = 9007199254740993n; // 2^53 + 1
let convex: LocalConvexHandle;

beforeAll(async () => {
  convex = await withLocalConvex(APP);
});
afterAll(async () => convex?.close());

it("prints an int8 key as decimal digits", async () => {
  const sink = createConvexSink({ url: convex.url, adminKey: convex.adminKey, slot: "s", module: "mirror", logger: silentLogger, retries: 0 });
  await sink.apply({ id: "b-1", ops: [{ o: "reject", t: "bigkey", k: [BIG], ver: 10n, code: "DECODE_FAILED", reason: "bad" }], checkpoint: { commitLsn: 10n, endLsn: 11n }, txCount: 1, rowCount: 1 });
  const summary = await readRejectSummary(createConvexClient({ url: convex.url, adminKey: convex.adminKey, module: "mirror" }));
  expect(summary.recent.map((r) => r.key)).toEqual(["9007199254740993"]);
  const text = rejectLines(summary).join("\n");
  expect(text).toContain("bigkey 9007199254740993");
  expect(text).not.toContain("$integer");
});
