import { describe, expect, it } from "vitest";
import { loadConfig, secretsOf } from "../../src/config/load";
import { Pg2ConvexError } from "../../src/errors";

describe("configuration", () => {
  it("reports every problem together, naming each setting", () => {
    try {
      loadConfig(["--slot", "Bad-Slot", "--flush-interval-ms=-5"], { DATABASE_URL: "mysql://x" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Pg2ConvexError);
      const problems = (e as Pg2ConvexError).context.problems as string[];
      expect(problems.join("\n")).toMatch(/databaseUrl: DATABASE_URL must be a postgres/);
      expect(problems.join("\n")).toMatch(/convexUrl: CONVEX_URL/);
      expect(problems.join("\n")).toMatch(/convexAdminKey: CONVEX_ADMIN_KEY/);
      expect(problems.join("\n")).toMatch(/slot: slot names/);
      expect(problems.join("\n")).toMatch(/flushIntervalMs/);
      expect(problems.length).toBe(5);
    }
  });

  it("turns an unknown flag into a configuration error", () => {
    expect(() => loadConfig(["--no-such-flag"], {})).toThrow(/invalid command line.*no-such-flag/);
  });

  it("lets flags override the environment and parses lists and numbers", () => {
    const { config } = loadConfig(["--tables", "course,story", "--max-batch-ops", "100"], {
      DATABASE_URL: "postgres://u:p@h/db",
      CONVEX_URL: "https://x.convex.cloud",
      CONVEX_ADMIN_KEY: "prod:abcdefghijkl",
      PG2CONVEX_SLOT: "from_env",
      PG2CONVEX_MAX_BATCH_OPS: "5",
    });
    expect(config).toMatchObject({ tables: ["course", "story"], maxBatchOps: 100, slot: "from_env", flushIntervalMs: 200 });
    expect(secretsOf(config)).toEqual(["prod:abcdefghijkl", "p"]);
  });

  it("reads --backfill-concurrency from the environment or the flag, default 8, within 1..64", () => {
    const env = { DATABASE_URL: "postgres://u:p@h/db", CONVEX_URL: "https://x.convex.cloud", CONVEX_ADMIN_KEY: "prod:abcdefghijkl" };
    expect(loadConfig([], env).config.backfillConcurrency).toBe(8);
    expect(loadConfig([], { ...env, PG2CONVEX_BACKFILL_CONCURRENCY: "3" }).config.backfillConcurrency).toBe(3);
    expect(loadConfig(["--backfill-concurrency", "1"], { ...env, PG2CONVEX_BACKFILL_CONCURRENCY: "3" }).config.backfillConcurrency).toBe(1);
    expect(() => loadConfig(["--backfill-concurrency", "0"], env)).toThrow(Pg2ConvexError);
    expect(() => loadConfig(["--backfill-concurrency", "65"], env)).toThrow(Pg2ConvexError);
  });
});
