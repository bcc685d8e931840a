export type { TransactionAssembler } from "./transaction-assembler";
export { createAssembler } from "./assembler";
export { type PartLimits, NO_PART_LIMITS } from "./parts";
