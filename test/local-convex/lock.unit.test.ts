// The FIFO readers-writer lock that serializes mutations and keeps queries out of them.
import { describe, expect, it } from "vitest";
import { ReadWriteLock } from "../../src/local-convex/lock";

/** A task that records start/end and finishes only when released. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    release: () => release(),
    run: async () => {
      log.push(`${name}+`);
      await done;
      log.push(`${name}-`);
      return name;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("ReadWriteLock", () => {
  it("runs exclusive holders one at a time, in arrival order", async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const gates = ["a", "b", "c"].map((n) => gate(log, n));
    const runs = gates.map((g) => lock.exclusive(g.run));
    await tick();
    expect(log).toEqual(["a+"]);
    gates[2]!.release(); // c is ready first but must still wait for a and b
    gates[0]!.release();
    await tick();
    expect(log).toEqual(["a+", "a-", "b+"]);
    gates[1]!.release();
    expect(await Promise.all(runs)).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a+", "a-", "b+", "b-", "c+", "c-"]);
  });

  it("lets shared holders overlap but never with an exclusive one", async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const [r1, r2, w, r3] = ["r1", "r2", "w", "r3"].map((n) => gate(log, n));
    const runs = [lock.shared(r1!.run), lock.shared(r2!.run), lock.exclusive(w!.run), lock.shared(r3!.run)];
    await tick();
    // Both readers run together; the writer waits, and r3 queues behind the writer (no starvation).
    expect(log).toEqual(["r1+", "r2+"]);
    r1!.release();
    await tick();
    expect(log).toEqual(["r1+", "r2+", "r1-"]);
    r2!.release();
    await tick();
    expect(log.slice(3)).toEqual(["r2-", "w+"]);
    r3!.release();
    await tick();
    expect(log.slice(5)).toEqual([]);
    w!.release();
    await Promise.all(runs);
    expect(log.slice(5)).toEqual(["w-", "r3+", "r3-"]);
    expect(lock.pending).toBe(0);
  });

  it("releases the lock when the holder throws", async () => {
    const lock = new ReadWriteLock();
    await expect(lock.exclusive(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await lock.exclusive(async () => "next")).toBe("next");
    expect(lock.pending).toBe(0);
  });
});
