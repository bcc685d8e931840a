import { configDefaults, defineConfig } from "vitest/config";

// Two projects, told apart by file name alone:
//   *.unit.test.ts  "unit": runs in the test's own process: no PostgreSQL, no server, no child process
//                   (convex-test is fine). No global setup, so running these files starts at once.
//   *.test.ts       "integration": everything else. One PostgreSQL cluster (with wal2json) for the whole
//                   run, started by the global setup; each test file makes its own database.
// test/unit-project.unit.test.ts keeps each file in the right project.
const UNIT = "test/**/*.unit.test.ts";

// Tests whose bounds are about seconds of recovery (a restart resuming within 15 s, a PostgreSQL restart ridden
// through) and that hold under load alone but not beside two other busy files on two cores: "isolated" runs them
// one at a time, after the rest (`npm test` runs the projects in that order). Same cluster and rules as integration.
const ISOLATED = ["test/e2e/fast-restart.test.ts", "test/e2e/fault-pg-restart.test.ts"];

// In the unit project the cluster's URL names a socket directory that cannot exist, so a unit test that
// connects to PostgreSQL anyway fails at once with ENOENT on this path instead of trying a default server.
const NO_POSTGRES = "postgresql://%2Fno-postgresql-in-unit-tests--name-the-file-x.test.ts-not-x.unit.test.ts/postgres";

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: files run two at a time, each with its own database, slot and local Convex.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: [UNIT], provide: { pgAdminUrl: NO_POSTGRES } },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, UNIT, ...ISOLATED],
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "isolated",
          include: ISOLATED,
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
        },
      },
    ],
  },
});
