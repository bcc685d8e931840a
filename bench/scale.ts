// Scale curve (issue 9): how the pipeline's time grows with the number of rows (10k, 100k, 1M narrow rows) and
// with row width (three widths at a fixed count), so a non-linear cost shows up as a per-row time ratio above 1.
// The null sink only (no Convex): the curve is the bridge's (decode → assemble → plan → batches). Each point
// writes its rows in 1,000-row transactions to localization (id, language_id, tag, text; padding on `text` sets the width) behind a fresh
// slot, then times a mirror from the slot's start to a marker row. A marker-only run gives the fixed start-up
// cost, subtracted before per-row times are compared.
import pg from "pg";
import { startCluster } from "../src/devtools/pg-cluster";
import { seedReference } from "../src/reference/seed";
import { referenceTables } from "../tables/reference";
import { configSchema, type Config } from "../src/config/schema";
import { silentLogger } from "../src/log";
import { startMirror } from "../src/pipeline/mirror";
import { createNullSink } from "../src/sink";
import { parseLsn } from "../src/model/lsn";
import { round } from "./stats";

const TX_ROWS = 1_000;
const COUNTS = [10_000, 100_000, 1_000_000];
const NARROW_PAD = 16;
const WIDTH_ROWS = 50_000;
const WIDTHS = [16, 256, 2048];
const MARKER_ID = 999_999;

interface Point {
  rows: number;
  textPadChars: number;
  walBytes: number;
  seconds: number;
  rowsPerSec: number;
  /** (seconds − start-up) / rows, in microseconds. */
  usPerRow: number;
}

export async function benchScale(): Promise<Record<string, unknown>> {
  const cluster = await startCluster();
  const admin = new pg.Client(cluster.url());
  await admin.connect();
  await admin.query("CREATE DATABASE bench_scale");
  const url = cluster.url("bench_scale");
  const db = new pg.Client(url);
  await db.connect();
  const base = configSchema.parse({ databaseUrl: url, convexUrl: "http://127.0.0.1:9", convexAdminKey: "bench-null-sink-key", slot: "x", tables: ["localization"], metricsPort: 0, logLevel: "silent" });
  let nextId = 1_000_000; // past the seed's ids
  let slots = 0;
  // One point: rows written behind a fresh slot, then the time a null-sink mirror takes to reach the marker.
  const point = async (rows: number, textPadChars: number, startup = 0): Promise<Point> => {
    const slot = `bench_scale_${slots++}`;
    const start = (await db.query("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'wal2json')", [slot])).rows[0].lsn as string;
    for (let done = 0; done < rows; done += TX_ROWS) {
      const n = Math.min(TX_ROWS, rows - done);
      await db.query(`INSERT INTO localization (id, language_id, tag, text) SELECT g, 1, 'tag_' || g, 'text ' || repeat('x', $3) FROM generate_series($1::int, $2::int) g`, [nextId, nextId + n - 1, textPadChars]);
      nextId += n;
    }
    await db.query("DELETE FROM localization WHERE id = $1", [MARKER_ID]);
    await db.query("INSERT INTO localization (id, language_id, tag, text) VALUES ($1, 1, 'marker', 'marker')", [MARKER_ID]);
    const walBytes = Number(parseLsn((await db.query("SELECT pg_current_wal_lsn()::text AS l")).rows[0].l) - parseLsn(start));
    const seconds = await timeToMarker({ ...base, slot }, parseLsn(start));
    await db.query("SELECT pg_drop_replication_slot($1)", [slot]);
    return { rows, textPadChars, walBytes, seconds: round(seconds, 2), rowsPerSec: round(rows / seconds), usPerRow: rows ? round(((seconds - startup) / rows) * 1e6, 2) : 0 };
  };
  try {
    await seedReference(db, { languages: 1, courses: 1, stories: 1, users: 1 });
    const startup = (await point(0, 0)).seconds;
    const byCount: Point[] = [];
    for (const rows of COUNTS) byCount.push(await point(rows, NARROW_PAD, startup));
    const byWidth: Point[] = [];
    for (const w of WIDTHS) byWidth.push(await point(WIDTH_ROWS, w, startup));
    const ratio = (a: Point, b: Point) => round(a.usPerRow / b.usPerRow, 2);
    return {
      note: "null sink (bridge only); usPerRow subtracts startupSeconds (a marker-only run); perRowTimeRatio is usPerRow largest ÷ smallest (1 = linear)",
      walBytesNote: "walBytes is the server WAL between slot start and marker (TOAST-compressed values count compressed), not wal2json output size",
      startupSeconds: startup,
      rowsPerTransaction: TX_ROWS,
      byRowCount: { textPadChars: NARROW_PAD, points: byCount, perRowTimeRatio1MVs10k: ratio(byCount.at(-1)!, byCount[0]!), perRowTimeRatio1MVs100k: ratio(byCount.at(-1)!, byCount[1]!) },
      byRowWidth: {
        rows: WIDTH_ROWS,
        points: byWidth,
        perRowTimeRatioWidestVsNarrowest: ratio(byWidth.at(-1)!, byWidth[0]!),
        walBytesRatioWidestVsNarrowest: round(byWidth.at(-1)!.walBytes / byWidth[0]!.walBytes, 2),
      },
    };
  } finally {
    await db.end();
    await admin.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active").catch(() => undefined);
    await admin.end();
    await cluster.stop();
  }
}

/** Seconds from starting a null-sink mirror at `start` until the marker row reaches the sink. */
async function timeToMarker(config: Config, start: bigint): Promise<number> {
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  const t0 = performance.now();
  const mirror = await startMirror({
    config,
    tables: referenceTables,
    logger: silentLogger,
    sink: createNullSink({ slot: config.slot, position: { commitLsn: start, endLsn: start } }),
    onApplied: (b) => b.ops.some((o) => o.o === "upsert" && o.t === "localization" && o.k[0] === MARKER_ID) && resolve(),
  });
  await seen;
  const seconds = (performance.now() - t0) / 1000;
  await mirror.stop();
  return seconds;
}
