// `npm run bench`: figures, not pass/fail. Prints one JSON document on stdout.
import { benchStream } from "./stream";
import { benchLint } from "./lint";
import { benchParity } from "./parity";
import { benchMemory } from "./memory";
import { benchScale } from "./scale";

const started = Date.now();
const figures: Record<string, unknown> = {
  node: process.version,
  cpus: (await import("node:os")).cpus().length,
};
// `tsx bench/run.ts memory` runs only the named sections (the memory one is heavy: run it at most once or twice).
const only = new Set(process.argv.slice(2));
const want = (name: string) => only.size === 0 || only.has(name);
if (want("stream")) {
  const stream = await benchStream();
  figures.stream = stream;
  figures.summary = { ...(figures.summary as object | undefined), ...(stream.summary as object) };
}
if (want("lint")) figures.lint = await benchLint();
if (want("parity")) figures.parity = await benchParity();
if (want("scale")) figures.scale = await benchScale();
if (want("memory")) {
  const memory = await benchMemory();
  figures.memory = memory;
  figures.summary = { ...(figures.summary as object | undefined), peakRssMbTx2M: memory.peakRssMbTx2M, peakRssMbBackfill1M: memory.peakRssMbBackfill1M };
}
figures.peakRssBytes = process.resourceUsage().maxRSS * 1024;
figures.note = "peakRssBytes is the bench process: bridge, local Convex and driver together; PostgreSQL runs separately";
figures.totalSeconds = Math.round((Date.now() - started) / 100) / 10;
console.log(JSON.stringify(figures, null, 2));
