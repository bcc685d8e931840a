// Fast restart: after a SIGKILL (or a dead machine, or a network cut) the old process's walsender keeps the slot
// active until PostgreSQL notices, up to wal_sender_timeout, and START_REPLICATION fails with 55006 meanwhile.
// The leader ends that walsender itself, only when both hold:
//  - it is provably this mirror's: the slot's active_pid is a walsender whose application_name is this mirror's
//    walsender name (walsenderName(mirrorId), set on every replication connection of the bridge). Any other
//    consumer of the slot (pg_recvlogical, another tool, a walsender this role cannot see) is left alone;
//  - this process holds the slot's leadership (checked right before the signal), so the walsender belongs to a
//    previous instance or a deposed leader, whose writes Convex refuses by epoch anyway.
import type pg from "pg";
import type { Logger } from "../log";
import { slotStreamer, terminateBackend } from "../postgres/walsender";
import { sleep } from "../postgres/pg-error";
import type { Leadership } from "./lease";

/** The application_name of the bridge's replication connections for one mirror (≤ 63 bytes: PostgreSQL's limit). */
export function walsenderName(mirrorId: string): string {
  return `pg2convex:${mirrorId}`.slice(0, 63);
}

export interface TakeoverInput {
  pg: pg.ClientBase;
  slot: string;
  mirrorId: string;
  leadership: Pick<Leadership, "assertHeld">;
  logger: Logger;
  /** How long to wait for the slot to become free after the signal (default 10 s). */
  timeoutMs?: number;
}

/** "free": nobody streams the slot; "taken-over": our old walsender was ended; "foreign": someone else streams it. */
export async function takeOverSlot(input: TakeoverInput): Promise<"free" | "taken-over" | "foreign"> {
  const log = input.logger.child({ stage: "takeover", slot: input.slot });
  const deadline = Date.now() + (input.timeoutMs ?? 10_000);
  let ended: number | null = null;
  for (;;) {
    const streamer = await slotStreamer(input.pg, input.slot);
    if (!streamer) return ended === null ? "free" : "taken-over";
    const ours = streamer.backendType === "walsender" && streamer.applicationName === walsenderName(input.mirrorId);
    if (!ours) {
      log.warn({ pid: streamer.pid, applicationName: streamer.applicationName, backendType: streamer.backendType }, "the slot is streamed by a process that is not this mirror's walsender: not ending it");
      return "foreign";
    }
    if (streamer.pid !== ended) {
      input.leadership.assertHeld();
      log.warn({ pid: streamer.pid }, "the slot is still held by the walsender of a previous pg2convex instance of this mirror: ending it");
      await terminateBackend(input.pg, streamer.pid);
      ended = streamer.pid;
    }
    if (Date.now() > deadline) return "taken-over";
    await sleep(100);
  }
}
