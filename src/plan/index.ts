export type { Batch, Batcher } from "./batch";
export { createBatcher, type BatcherOptions } from "./batcher";
export { planOps } from "./collapse";
