export { createCheckpointTracker, type CheckpointTracker, type Position } from "./checkpoint-tracker";
