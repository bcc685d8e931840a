// Checkpoint-only batches for transactions without mirrored rows: the newest pending position, at most one
// per interval unless forced, and none once a real batch covers them.
import { describe, expect, it } from "vitest";
import { createEmptyCheckpoints } from "../../src/pipeline/empty-checkpoints";

const pos = (n: bigint) => ({ commitLsn: n, endLsn: n + 8n });

describe("empty-transaction checkpoints", () => {
  it("writes the newest pending position at once, then at most once per interval unless forced", () => {
    let now = 10_000;
    const e = createEmptyCheckpoints(1000, () => now);
    expect(e.take()).toBeNull();
    e.seen(pos(100n));
    e.seen(pos(200n));
    expect(e.take()).toMatchObject({ ops: [], checkpoint: pos(200n) });
    expect(e.pending()).toBe(false);
    e.seen(pos(300n));
    now += 999;
    expect(e.take()).toBeNull();
    expect(e.pending()).toBe(true);
    now += 1;
    expect(e.take()?.checkpoint).toEqual(pos(300n));
    e.seen(pos(400n));
    expect(e.take(true)?.checkpoint).toEqual(pos(400n));
  });

  it("drops pending positions a later batch covers", () => {
    const e = createEmptyCheckpoints(1000, () => 0);
    e.seen(pos(100n));
    e.covered();
    expect(e.pending()).toBe(false);
    expect(e.take(true)).toBeNull();
  });
});
