export type { ChangeSource, WalMessage } from "./change-source";
export { createWal2JsonSource } from "./create-wal2json-source";
export type { Wal2JsonSourceOptions } from "./wal2json-source";
