// Child process of bench/memory.ts: the bridge alone (decode → assemble → plan → batches, the null sink in
// place of Convex), so its peak RSS is the bridge's and nothing else's. Prints one JSON line and exits.
//   tsx bench/memory-bridge.ts backfill <databaseUrl> <slot>
//   tsx bench/memory-bridge.ts tx <databaseUrl> <slot> <startLsn> <markerId>
import { configSchema } from "../src/config/schema";
import { silentLogger } from "../src/log";
import { startMirror } from "../src/pipeline/mirror";
import { createNullSink } from "../src/sink";
import { parseLsn } from "../src/model/lsn";
import { referenceTables } from "../tables/reference";

const [mode, databaseUrl, slot, startLsn, marker] = process.argv.slice(2);
const config = configSchema.parse({ databaseUrl, convexUrl: "http://127.0.0.1:9", convexAdminKey: "bench-null-sink-key", slot, tables: ["avatar"], metricsPort: 0, logLevel: "silent" });
const t0 = performance.now();
let ops = 0;
let batches = 0;
let maxOpsInBatch = 0;
if (mode === "backfill") {
  const sink = createNullSink({ slot });
  const mirror = await startMirror({ config, tables: referenceTables, logger: silentLogger, sink });
  ops = sink.applied.ops;
  batches = sink.applied.batches;
  await mirror.stop();
} else {
  const start = parseLsn(startLsn!);
  const markerId = Number(marker);
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  const sink = createNullSink({ slot, position: { commitLsn: start, endLsn: start } });
  const mirror = await startMirror({
    config,
    tables: referenceTables,
    logger: silentLogger,
    sink,
    onApplied: (b) => {
      ops += b.ops.length;
      batches += 1;
      maxOpsInBatch = Math.max(maxOpsInBatch, b.ops.length);
      if (b.ops.some((o) => o.o === "upsert" && o.k[0] === markerId)) resolve();
    },
  });
  await seen;
  await mirror.stop();
}
const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
console.log(JSON.stringify({ mode, peakRssMb, seconds: Math.round((performance.now() - t0) / 100) / 10, ops, batches, maxOpsInBatch }));
process.exit(0);
