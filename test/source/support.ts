// Helpers for source tests: a database with a wal2json slot, a message collector and polling.
// The raw wal2json text is JSON.parse'd here only to look at actions and positions (the decoder is not used).
import type pg from "pg";
import { createTestDatabase, type TestDatabase } from "../support/pg";
import { parseLsn, type Lsn } from "../../src/model/lsn";
import type { ChangeSource, WalMessage } from "../../src/source";

export interface SlotDatabase extends TestDatabase {
  slot: string;
  confirmedFlush(): Promise<Lsn>;
  activePid(): Promise<number | null>;
}

export async function createSlotDatabase(prefix: string, ddl: string): Promise<SlotDatabase> {
  const db = await createTestDatabase(prefix);
  await db.client.query(ddl);
  const slot = `${db.name}_slot`.slice(0, 63);
  await db.client.query("SELECT pg_create_logical_replication_slot($1, 'wal2json')", [slot]);
  const row = async (c: pg.Client) => (await c.query<{ confirmed_flush_lsn: string; active_pid: number | null }>("SELECT confirmed_flush_lsn, active_pid FROM pg_replication_slots WHERE slot_name = $1", [slot])).rows[0]!;
  return {
    ...db,
    slot,
    confirmedFlush: async () => parseLsn((await row(db.client)).confirmed_flush_lsn),
    activePid: async () => (await row(db.client)).active_pid,
  };
}

export interface Record2 {
  action: string;
  xid?: number;
  lsn?: string;
  nextlsn?: string;
  table?: string;
  schema?: string;
  timestamp?: string;
  columns?: Array<{ name: string; type: string; value: unknown }>;
}

export interface Received extends WalMessage {
  json: Record2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Streams from `from` into an array; `done` resolves with stream()'s outcome. */
export function collect(source: ChangeSource, from: Lsn = 0n, onEach?: (m: Received) => Promise<void>) {
  const messages: Received[] = [];
  const done = source.stream(from, async (m) => {
    const r = { ...m, json: JSON.parse(m.text) as Record2 };
    messages.push(r);
    await onEach?.(r);
  });
  // Observed by the test through `done`; this only keeps Node from reporting it as unhandled meanwhile.
  done.catch(() => undefined);
  return {
    messages,
    done,
    commits: () => messages.filter((m) => m.json.action === "C"),
    /** Waits until a delivered message satisfies `pred`, and returns it. */
    untilMessage: (what: string, pred: (m: Received) => boolean) => waitFor(what, () => messages.find(pred)),
    /** Waits until `n` commit records have been delivered (empty transactions count). */
    untilCommits: (n: number) => waitFor(`${n} commits`, () => (messages.filter((m) => m.json.action === "C").length >= n ? true : undefined)),
    /** Commits of transactions that carried at least one row record: a loaded machine's autovacuum or
     *  other databases' traffic may add empty "BC" transactions anywhere in the stream. */
    rowCommits: () => rowCommits(messages),
    untilRowCommits: (n: number) => waitFor(`${n} commits with rows`, () => (rowCommits(messages).length >= n ? true : undefined)),
  };
}

function rowCommits(messages: Received[]): Received[] {
  const out: Received[] = [];
  let rows = 0;
  for (const m of messages) {
    if (m.json.action === "B") rows = 0;
    else if (m.json.action === "C") {
      if (rows > 0) out.push(m);
    } else rows++;
  }
  return out;
}
