// Memory of the bridge process alone (issue 8.6 / 9.5): peak RSS of a child process running the bridge with the
// null sink (no Convex stand-in in that process, so nothing else is counted), for a 2M-row single transaction
// (streamed in parts, --max-tx-buffer-rows default) and a 1M-row backfill. Heavy: run it at most once or twice.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startCluster } from "../src/devtools/pg-cluster";
import { referenceSchemaSql } from "../src/reference/seed";
import { parseLsn } from "../src/model/lsn";
import { configSchema } from "../src/config/schema";

// Overridable for quick experiments (the figures in the summary are the defaults').
const TX_ROWS = Number(process.env.BENCH_TX_ROWS ?? 2_000_000);
const BACKFILL_ROWS = Number(process.env.BENCH_BACKFILL_ROWS ?? 1_000_000);
const MARKER_ID = 99_000_001;
/** Old-space cap of the bridge child: the run proves the live set fits it (V8 otherwise grows the heap freely). */
const HEAP_MB = Number(process.env.BENCH_BRIDGE_HEAP_MB ?? 256);
const CHILD = fileURLToPath(new URL("./memory-bridge.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

function child(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=${HEAP_MB}`.trim() };
    const p = spawn(TSX, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`memory child exited ${code}: ${err.slice(-2000)}`))));
  });
}

export async function benchMemory(): Promise<Record<string, unknown>> {
  const cluster = await startCluster();
  const admin = new pg.Client(cluster.url());
  await admin.connect();
  await admin.query("CREATE DATABASE bench_memory");
  const url = cluster.url("bench_memory");
  const db = new pg.Client(url);
  await db.connect();
  try {
    await db.query(referenceSchemaSql());
    await db.query(`INSERT INTO avatar (id, link, name) SELECT g, 'https://example.com/avatar/' || g, repeat('n', 60) FROM generate_series(1, ${BACKFILL_ROWS}) g`);
    const backfill = await child(["backfill", url, "mem_backfill"]);

    const slot = await db.query("SELECT lsn::text FROM pg_create_logical_replication_slot('mem_tx', 'wal2json')");
    await db.query(`INSERT INTO avatar (id, link, name) SELECT g, 'https://example.com/avatar/' || g, repeat('n', 60) FROM generate_series(${BACKFILL_ROWS + 1}, ${BACKFILL_ROWS + TX_ROWS}) g`);
    await db.query("INSERT INTO avatar (id, link) VALUES ($1, 'marker')", [MARKER_ID]);
    const walBytes = Number(parseLsn((await db.query("SELECT pg_current_wal_lsn()::text AS l")).rows[0].l) - parseLsn(slot.rows[0].lsn));
    const tx = await child(["tx", url, "mem_tx", slot.rows[0].lsn, String(MARKER_ID)]);
    const defaults = configSchema.shape;
    return {
      note: "peak RSS (maxRSS) of a child process running only the bridge, with the null sink: no Convex stand-in in it; its heap is capped at bridgeHeapCapMb, so finishing proves the live set fits",
      bridgeHeapCapMb: HEAP_MB,
      tx2M: { rows: TX_ROWS, walBytes, maxTxBufferRows: defaults.maxTxBufferRows.parse(undefined), ...tx },
      backfill1M: { rows: BACKFILL_ROWS, backfillChunkRows: defaults.backfillChunkRows.parse(undefined), ...backfill },
      peakRssMbTx2M: tx.peakRssMb,
      peakRssMbBackfill1M: backfill.peakRssMb,
    };
  } finally {
    await db.end();
    await admin.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active").catch(() => undefined);
    await admin.end();
    await cluster.stop();
  }
}
