// Starts one throwaway PostgreSQL cluster (wal2json, wal_level=logical) for the whole test run.
import type { TestProject } from "vitest/node";
import { startCluster, type PgCluster } from "../../src/devtools/pg-cluster";

let cluster: PgCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startCluster();
  project.provide("pgAdminUrl", cluster.url("postgres"));
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
