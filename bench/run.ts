// `npm run bench`: figures, not pass/fail. Prints one JSON document on stdout.
import { benchStream } from "./stream";
import { benchLint } from "./lint";
import { benchParity } from "./parity";

const started = Date.now();
const figures: Record<string, unknown> = {
  node: process.version,
  cpus: (await import("node:os")).cpus().length,
};
figures.stream = await benchStream();
figures.lint = await benchLint();
figures.parity = await benchParity();
figures.peakRssBytes = process.resourceUsage().maxRSS * 1024;
figures.note = "peakRssBytes is the bench process: bridge, local Convex and driver together; PostgreSQL runs separately";
figures.totalSeconds = Math.round((Date.now() - started) / 100) / 10;
console.log(JSON.stringify(figures, null, 2));
