// Parity figures on a 200,000-row story table: the table is seeded in PostgreSQL, mirrored into the local
// Convex by the real backfill (startMirror), then `parity` is timed in sample and full mode (median of 3),
// and once more in full mode with 10 differences injected behind the bridge's back.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startCluster } from "../src/devtools/pg-cluster";
import { startLocalConvex } from "../src/local-convex";
import { createConvexClient } from "../src/convex-client";
import { seedReference } from "../src/reference/seed";
import { referenceTables } from "../tables/reference";
import { configSchema } from "../src/config/schema";
import { silentLogger } from "../src/log";
import { startMirror } from "../src/pipeline/mirror";
import { TAMPER_CONFIRMATION } from "../test/support/convex-tamper";
import { runParity, type ParityOptions } from "../src/parity/run";
import type { Mode } from "../src/parity/report";
import { median, round } from "./stats";

const STORIES = Number(process.env.PARITY_BENCH_ROWS ?? 200_000);
const REPEATS = Number(process.env.PARITY_BENCH_REPEATS ?? 3);

export async function benchParity(): Promise<Record<string, unknown>> {
  const cluster = await startCluster();
  const adminKey = `bench|${randomBytes(16).toString("hex")}`;
  const convex = await startLocalConvex({ convexDir: fileURLToPath(new URL("../convex", import.meta.url)), adminKey, port: 0 });
  const admin = new pg.Client(cluster.url());
  await admin.connect();
  await admin.query("CREATE DATABASE bench_parity");
  const db = new pg.Client(cluster.url("bench_parity"));
  await db.connect();
  try {
    await seedReference(db, { languages: 10, courses: 10, stories: 0, users: 20 });
    const t0 = performance.now();
    await db.query(
      `INSERT INTO story (id, duo_id, name, set_id, set_index, author, date, text, public, image, course_id, json, status, deleted, todo_count)
       SELECT g, 'duo-' || g, 'Story ' || g, 1 + g % 50, 1 + g % 10, 1 + g % 20, timestamptz '2024-01-01' + g * interval '1 minute',
              repeat('lorem ipsum ', 20 + g % 20), g % 3 <> 0, 'img' || (1 + g % 60), 1 + g % 10, jsonb_build_object('g', g, 'lines', jsonb_build_array('a', 'b')),
              (ARRAY['draft','feedback','finished'])[1 + g % 3]::story_status, g % 50 = 0, g % 4
       FROM generate_series(1, $1) g`,
      [STORIES],
    );
    await db.query("ANALYZE story");
    const seedSeconds = (performance.now() - t0) / 1000;
    const config = configSchema.parse({ databaseUrl: cluster.url("bench_parity"), convexUrl: convex.url, convexAdminKey: adminKey, slot: "bench_parity", metricsPort: 0, logLevel: "silent" });
    const t1 = performance.now();
    const mirror = await startMirror({ config, tables: referenceTables, logger: silentLogger });
    const backfillSeconds = (performance.now() - t1) / 1000;
    await mirror.stop();

    const opts: ParityOptions = {
      databaseUrl: config.databaseUrl,
      convexUrl: config.convexUrl,
      adminKey,
      slot: config.slot,
      convexModule: "mirror",
      tables: referenceTables,
      only: ["story"],
      mode: "sample",
      sample: 1_000,
      maxWaitMs: 0,
      recheck: { rounds: 3, delayMs: 500, waitMs: 0 },
      record: false,
    };
    const time = async (mode: Mode) => {
      const t = performance.now();
      const r = await runParity({ ...opts, mode });
      return { seconds: (performance.now() - t) / 1000, report: r };
    };
    const figures: Record<string, unknown> = { rows: STORIES, seedSeconds: round(seedSeconds, 1), backfillSeconds: round(backfillSeconds, 1), backfillRowsPerSec: round(STORIES / backfillSeconds) };
    for (const mode of ["sample", "full"] as const) {
      const runs = [];
      for (let i = 0; i < REPEATS; i++) runs.push(await time(mode));
      const last = runs[runs.length - 1]!.report.tables[0]!;
      figures[mode] = { medianSeconds: round(median(runs.map((r) => r.seconds)), 2), runs: runs.map((r) => round(r.seconds, 2)), verdict: runs[0]!.report.verdict, checked: last.rows.checked, stats: last.stats };
    }
    const client = createConvexClient({ url: convex.url, adminKey, module: "mirror" });
    for (let i = 0; i < 10; i++) await client.mutation("debugTamper", { confirm: TAMPER_CONFIRMATION, table: "story", key: [1 + i * Math.floor(STORIES / 10)], action: "patch", fields: { name: `drift ${i}` } });
    const drifted = await time("full");
    const story = drifted.report.tables[0]!;
    figures.fullWith10Differences = { seconds: round(drifted.seconds, 2), found: story.rows.driftTotal, stats: story.stats };
    figures.note = "local Convex stand-in (in-memory, one process) with the bridge stopped: no lag waits; sample = 1,000 keys + successors + counts + sampled invariants; full = bisection (factor 16, leaf 1,000) + every invariant";
    return figures;
  } finally {
    await db.end();
    await admin.end();
    await convex.close();
    await cluster.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) console.log(JSON.stringify(await benchParity(), null, 2));
