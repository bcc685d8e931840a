// The ChangeSource the bridge streams from: the wal2json implementation behind the contract (change-source.ts).
import type { ChangeSource } from "./change-source";
import { Wal2JsonSource, type Wal2JsonSourceOptions } from "./wal2json-source";

export function createWal2JsonSource(opts: Wal2JsonSourceOptions): ChangeSource {
  return new Wal2JsonSource(opts);
}
