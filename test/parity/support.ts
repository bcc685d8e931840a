// Parity test helpers: run parity against a mirror-env, and edit Convex documents behind the bridge's back
// through the guarded test-only mutation (mirror:debugTamper, exported by this project's convex/mirror.ts).
import { makeFunctionReference } from "convex/server";
import type { Value } from "convex/values";
import { referenceTables } from "../../tables/reference";
import { TAMPER_CONFIRMATION } from "../support/convex-tamper";
import { runParity, type ParityOptions } from "../../src/parity/run";
import type { ParityReport, TableReport } from "../../src/parity/report";
import type { MirrorEnv } from "../support/mirror-env";

export async function parity(env: MirrorEnv, overrides: Partial<ParityOptions> = {}): Promise<ParityReport> {
  return runParity({
    databaseUrl: env.config.databaseUrl,
    convexUrl: env.config.convexUrl,
    adminKey: env.config.convexAdminKey,
    slot: env.config.slot,
    convexModule: env.config.convexModule,
    tables: referenceTables,
    mode: "sample",
    sample: 200,
    // Bounds, not delays: a wait ends as soon as the mirror passes its LSN, or at once with no bridge
    // streaming; a loaded CI machine may need more than a few seconds for the bridge to get there.
    maxWaitMs: 60_000,
    recheck: { rounds: 3, delayMs: 200, waitMs: 60_000 },
    record: true,
    ...overrides,
  });
}

export async function tamper(env: MirrorEnv, table: string, key: Value[], action: "patch" | "delete" | "insert", fields?: Record<string, Value>): Promise<void> {
  await env.convex.client.mutation(makeFunctionReference<"mutation">("mirror:debugTamper") as any, { confirm: TAMPER_CONFIRMATION, table, key, action, ...(fields ? { fields } : {}) });
}

export const table = (r: ParityReport, name: string): TableReport => {
  const t = r.tables.find((x) => x.table === name);
  if (!t) throw new Error(`no table ${name} in the report`);
  return t;
};

/** Tables other than `names` that report drift (there should be none). */
export const otherDrift = (r: ParityReport, ...names: string[]) => r.tables.filter((t) => t.verdict === "drift" && !names.includes(t.table)).map((t) => ({ table: t.table, rows: t.rows.drift, inv: t.invariants.drift, counts: t.counts }));

/**
 * Unrelated writes every 200 ms while `f` runs, as a live application makes them: the mirror's checkpoint
 * keeps moving, so parity's lag waits end within a flush instead of the bridge's 10 s status interval.
 */
export async function withTraffic<T>(env: MirrorEnv, f: () => Promise<T>): Promise<T> {
  let on = true;
  const writer = (async () => {
    for (let i = 0; on; i++) {
      await env.db.client.query("UPDATE avatar SET name = $1 WHERE id = 40", [`tick ${i}`]);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    return await f();
  } finally {
    on = false;
    await writer;
  }
}
