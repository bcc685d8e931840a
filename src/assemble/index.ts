export type { TransactionAssembler } from "./transaction-assembler";
export { createAssembler } from "./assembler";
