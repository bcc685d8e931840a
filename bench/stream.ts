// Streaming figures on one generated WAL: pg_recvlogical+wal2json raw rows/s, the pipeline with a null sink,
// end to end into the local Convex, rows per mutation, and commit→visible latency at a steady load.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { startCluster, postgresBinDir } from "../src/devtools/pg-cluster";
import { seedReference } from "../src/reference/seed";
import { referenceTables } from "../tables/reference";
import { configSchema, type Config } from "../src/config/schema";
import { silentLogger } from "../src/log";
import { startMirror } from "../src/pipeline/mirror";
import { createNullSink } from "../src/sink";
import { parseLsn, formatLsn } from "../src/model/lsn";
import type { Batch } from "../src/plan";
import { median, percentile, round } from "./stats";
import { startConvexChild, type ConvexChild } from "./convex-child";

const REPEATS = 3;
const TX = 100;
const ROWS_PER_TX = 1_000;
const MARKER_ID = 987_654;

/** The two shapes issue 9 compares: story (18 columns, 200-char text, jsonb) and story_done (4 columns). */
interface Workload {
  name: "wide" | "narrow";
  /** The table the workload writes. */
  table: string;
  /** Writes the WAL, ending with the marker row; returns the row changes written (the marker included). */
  write(db: pg.Client, marker: number): Promise<number>;
}

const WIDE: Workload = {
  name: "wide",
  table: "story",
  async write(db, marker) {
    for (let t = 0; t < TX; t++) {
      await db.query(
        `INSERT INTO story (name, set_id, set_index, course_id, public, deleted, todo_count, text, json)
         SELECT 'bench ' || g, 1, g, 1 + (g % 10), g % 2 = 0, false, g % 5, repeat('x', 200), jsonb_build_object('g', g)
         FROM generate_series(1, $1) g`,
        [ROWS_PER_TX],
      );
    }
    await db.query("INSERT INTO avatar (id, link) VALUES ($1, 'marker')", [marker]);
    return TX * ROWS_PER_TX + 1;
  },
};

const NARROW: Workload = {
  name: "narrow",
  table: "story_done",
  async write(db, marker) {
    for (let t = 0; t < TX; t++) {
      await db.query("INSERT INTO story_done (user_id, story_id) SELECT 1 + (g % 20), 1 + (g % 100) FROM generate_series(1, $1) g", [ROWS_PER_TX]);
    }
    await db.query("INSERT INTO avatar (id, link) VALUES ($1, 'marker')", [marker]);
    return TX * ROWS_PER_TX + 1;
  },
};

const sawMarker = (marker: number) => (b: Batch) => b.ops.some((o) => o.o === "upsert" && o.t === "avatar" && o.k[0] === marker);

/** `seconds` from start-up to the marker applied; `streamingSeconds` from startMirror's return (checks done, the stream opening) to the marker. */
async function runUntilMarker(config: Config, marker: number, sink?: ReturnType<typeof createNullSink>): Promise<{ seconds: number; streamingSeconds: number; batches: Batch[] }> {
  const batches: Batch[] = [];
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  const saw = sawMarker(marker);
  const t0 = performance.now();
  const mirror = await startMirror({ config, tables: referenceTables, logger: silentLogger, ...(sink ? { sink } : {}), onApplied: (b) => (batches.push(b), saw(b) && resolve()) });
  const started = performance.now();
  await seen;
  const seconds = (performance.now() - t0) / 1000;
  await mirror.stop();
  return { seconds, streamingSeconds: seconds - (started - t0) / 1000, batches };
}

/** One workload's WAL read three ways: pg_recvlogical (raw), the pipeline into the null sink, and end to end. */
async function measure(w: Workload, marker: number, base: Config, db: pg.Client, url: string, convex: ConvexChild) {
  const starts: Record<string, bigint> = {};
  for (let i = 0; i < REPEATS; i++) {
    for (const kind of ["raw", "null"]) {
      const r = await db.query("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'wal2json')", [`bench_${w.name}_${kind}_${i}`]);
      starts[`${kind}_${i}`] = parseLsn(r.rows[0].lsn);
    }
  }
  const rows = await w.write(db, marker);
  const endpos = (await db.query("SELECT pg_current_wal_lsn()::text AS l")).rows[0].l as string;
  const walBytes = Number(parseLsn(endpos) - starts.raw_0!);
  // The written table is vacuumed and the WAL checkpointed first, so autovacuum does not start in the middle of
  // one side's run; the two readers then take turns (raw, pipeline, raw, …), so both see the same conditions.
  await db.query(`VACUUM (ANALYZE) ${w.table}`);
  await db.query("CHECKPOINT");
  const raw: number[] = [];
  // Two figures per run: from the mirror's start-up (its checks of PostgreSQL and of the definitions included),
  // and from the stream's opening, which is what decoding costs per row (pg_recvlogical has no such checks).
  const nul: number[] = [];
  const withStartup: number[] = [];
  const startup: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await recvlogical(url, `bench_${w.name}_raw_${i}`, endpos);
    raw.push(rows / ((performance.now() - t0) / 1000));
    const start = { commitLsn: starts[`null_${i}`]!, endLsn: starts[`null_${i}`]! };
    const { seconds, streamingSeconds } = await runUntilMarker({ ...base, slot: `bench_${w.name}_null_${i}` }, marker, createNullSink({ position: start }));
    nul.push(rows / streamingSeconds);
    withStartup.push(rows / seconds);
    startup.push(seconds - streamingSeconds);
  }
  for (const kind of ["raw", "null"]) for (let i = 0; i < REPEATS; i++) await db.query("SELECT pg_drop_replication_slot($1)", [`bench_${w.name}_${kind}_${i}`]);
  const m0 = await convex.count();
  const e2e = await runUntilMarker(base, marker);
  const applyMs = (await convex.mutationsSince(m0)).filter((m) => m.path.endsWith(":applyBatch")).map((m) => m.ms);
  const mutations = e2e.batches.filter((b) => b.ops.length > 0);
  return {
    workload: { rowChanges: rows, transactions: TX + 1, walBytes, repeats: REPEATS, note: "table vacuumed and WAL checkpointed before reading; pg_recvlogical and the pipeline take turns" },
    rawPgRecvlogicalRowsPerSec: { median: round(median(raw)), runs: raw.map((x) => round(x)) },
    pipelineNullSinkRowsPerSec: { median: round(median(nul)), runs: nul.map((x) => round(x)), note: "from the stream's opening to the marker (start-up checks excluded)" },
    pipelineNullSinkWithStartupRowsPerSec: { median: round(median(withStartup)), runs: withStartup.map((x) => round(x)), startupSeconds: round(median(startup), 3) },
    endToEndLocalConvexRowsPerSec: round(rows / e2e.seconds),
    rowsPerMutation: round(mutations.reduce((a, b) => a + b.ops.length, 0) / Math.max(1, mutations.length)),
    mutations: mutations.length,
    // applyBatch's own execution time in the local stand-in (Convex allows 1 s per mutation).
    mutationMs: { median: round(median(applyMs)), p99: round(percentile(applyMs, 99)), max: round(Math.max(0, ...applyMs)) },
    ratios: {
      nullSinkVsRaw: round(median(nul) / median(raw), 3),
      nullSinkVsRawPerTurn: raw.map((r, i) => round(nul[i]! / r, 3)),
      nullSinkWithStartupVsRaw: round(median(withStartup) / median(raw), 3),
      endToEndVsNullSink: round(rows / e2e.seconds / median(withStartup), 3),
    },
  };
}

export async function benchStream(): Promise<Record<string, unknown>> {
  const cluster = await startCluster();
  const adminKey = `bench|${randomBytes(16).toString("hex")}`;
  // The stand-in runs in its own process: in this one, each mutation's execution would stall the bridge.
  const convex = await startConvexChild(adminKey);
  const admin = new pg.Client(cluster.url());
  await admin.connect();
  await admin.query("CREATE DATABASE bench");
  const db = new pg.Client(cluster.url("bench"));
  await db.connect();
  try {
    await seedReference(db, { languages: 10, courses: 10, stories: 100, users: 20 });
    const base = configSchema.parse({ databaseUrl: cluster.url("bench"), convexUrl: convex.url, convexAdminKey: adminKey, slot: "bench_e2e", metricsPort: 0, logLevel: "silent" });
    // The end-to-end mirror backfills the small seed now, so later it only streams the generated WAL.
    await (await startMirror({ config: base, tables: referenceTables, logger: silentLogger })).stop();
    // 20 transactions/s of one row, and 5,000 rows/s as 50 transactions/s of 100 rows, on the seeded mirror.
    // Measured before the 200,000-row workloads and again after them: the stand-in's time per mutation grows
    // with the size of its tables (an update's applyBatch reads 7 documents with 5 index ranges at any size, as
    // its usage figures show; convex-test's in-memory store is what slows), which the real backend's indexes do not.
    const update = (i: number) => db.query("UPDATE story SET change_date = now(), todo_count = todo_count + 1 WHERE id = $1", [1 + (i % 100)]);
    const latency20tps = await steadyLatency(base, db, convex, 20, update);
    const latency5kRows = await steadyLatency(base, db, convex, 50, () => db.query("INSERT INTO story_done (user_id, story_id) SELECT 1 + (g % 20), 1 + (g % 100) FROM generate_series(1, 100) g"));
    const wide = await measure(WIDE, MARKER_ID, base, db, cluster.url("bench"), convex);
    const narrow = await measure(NARROW, MARKER_ID + 1, base, db, cluster.url("bench"), convex);
    const latency20tpsAfterLoad = await steadyLatency(base, db, convex, 20, update);
    return {
      note: "the local Convex stand-in runs in a child process (bench/convex-process.ts); mutationMs is its execution time there",
      wide,
      narrow,
      commitToVisibleMs: {
        at20TxPerSec: latency20tps,
        at5kRowsPerSec: { ...latency5kRows, rowsPerSecond: 5000 },
        at20TxPerSecAfterLoad: { ...latency20tpsAfterLoad, note: "the same 20 tx/s once the stand-in holds the wide and narrow workloads' 200,000 rows" },
      },
      summary: {
        decodeRatioWide: wide.ratios.nullSinkVsRaw,
        decodeRatioNarrow: narrow.ratios.nullSinkVsRaw,
        rowsPerMutationNarrow: narrow.rowsPerMutation,
        rowsPerMutationWide: wide.rowsPerMutation,
        latencyP99Ms20tps: latency20tps.p99,
        latencyP99Ms5kRows: latency5kRows.p99,
      },
    };
  } finally {
    await db.end();
    await admin.end();
    await convex.close();
    await cluster.stop();
  }
}

async function recvlogical(url: string, slot: string, endpos: string): Promise<void> {
  const bin = join(postgresBinDir(), "pg_recvlogical");
  const args = ["-d", url, "--slot", slot, "--start", "--endpos", endpos, "-f", "/dev/null", "--no-loop", "-o", "format-version=2", "-o", "include-xids=1", "-o", "include-timestamp=1", "-o", "include-lsn=1"];
  await new Promise<void>((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`pg_recvlogical exited ${code}: ${err}`))));
  });
}

/** `perSecond` transactions per second for 10 s (each written by `write(i)`) while the mirror streams. */
async function steadyLatency(
  config: Config,
  db: pg.Client,
  convex: ConvexChild,
  perSecond: number,
  write: (i: number) => Promise<unknown>,
): Promise<{ transactions: number; p50: number; p99: number; max: number; mutationMs: { median: number; p99: number; max: number } }> {
  const samples: number[] = [];
  const m0 = await convex.count();
  const mirror = await startMirror({
    config,
    tables: referenceTables,
    logger: silentLogger,
    onApplied: (b, at) => b.commitTimes?.forEach((t) => samples.push(at - t.getTime())),
  });
  const warm = samples.length;
  const every = 1000 / perSecond;
  const t0 = Date.now();
  for (let i = 0; i < perSecond * 10; i++) {
    await write(i);
    // Paced against the start, so a slow write does not lower the offered rate.
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i + 1) * every - Date.now())));
  }
  await new Promise((r) => setTimeout(r, 1000));
  await mirror.stop();
  const s = samples.slice(warm);
  // The stand-in's execution time of the same run's applyBatch calls: what of the latency is Convex's side.
  const applyMs = (await convex.mutationsSince(m0)).filter((m) => m.path.endsWith(":applyBatch")).map((m) => m.ms);
  const mutationMs = { median: round(median(applyMs)), p99: round(percentile(applyMs, 99)), max: round(Math.max(0, ...applyMs)) };
  return { transactions: s.length, p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(Math.max(...s)), mutationMs };
}

export { formatLsn };
