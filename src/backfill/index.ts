export { runBackfill, type BackfillContext } from "./backfill";
export { toChange } from "./copy-table";
