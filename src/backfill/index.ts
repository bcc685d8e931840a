export { runBackfill, type BackfillContext } from "./backfill";
