import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One PostgreSQL cluster (with wal2json) for the whole run; each test file makes its own database.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: files run two at a time, each with its own database, slot and local Convex.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
