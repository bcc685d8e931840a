// Sink stage: the contract (./sink.ts) and its two implementations.
export type { BackfillMark, Sink } from "./sink";
export { createConvexSink, type ConvexSinkOptions } from "./convex-sink";
export { createNullSink } from "./null-sink";
