// A steady write load for fault-injection tests: small and multi-table transactions (inserts, updates,
// deletes, children and parents, derived-field inputs) on the reference schema, from its own connection, until
// stopped. It rides through the faults itself: a failed statement or a lost connection is retried on a new
// connection. Whether a transaction cut by a fault committed does not matter: the oracle compares PostgreSQL's
// final state with Convex row for row.
import pg from "pg";
import { allTablesTransaction } from "../e2e/workload";

export interface SteadyWorkload {
  /** Transactions known to have committed so far. */
  committed(): number;
  /** Stops after the current transaction; resolves once the connection is closed. */
  stop(): Promise<number>;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startSteadyWorkload(url: string, opts: { seed?: number; pauseMs?: number } = {}): SteadyWorkload {
  const random = prng(opts.seed ?? 1);
  const pick = (n: number) => 1 + Math.floor(random() * n);
  let stopping = false;
  let committed = 0;
  let client: pg.Client | null = null;

  const connect = async () => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    c.on("error", () => undefined);
    await c.connect();
    return c;
  };
  const oneTransaction = async (c: pg.Client, i: number) => {
    const kind = i % 10;
    if (kind === 0) return allTablesTransaction(c, `w${i}`);
    await c.query("BEGIN");
    if (kind < 5) {
      // Updates of a few stories in one transaction (derived-field inputs included).
      for (let k = 0; k < 3; k++) await c.query("UPDATE story SET todo_count = todo_count + 1, public = NOT public WHERE id = $1", [pick(60)]);
    } else if (kind < 8) {
      await c.query("INSERT INTO story_done (user_id, story_id) SELECT 1, id FROM story WHERE id = $1", [pick(60)]);
      await c.query("UPDATE language SET name = $1 WHERE id = $2", [`lang ${i}`, pick(5)]);
    } else {
      await c.query("DELETE FROM story_done WHERE id = (SELECT min(id) FROM story_done)");
    }
    await c.query("COMMIT");
  };

  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      try {
        client ??= await connect();
        await oneTransaction(client, i);
        committed++;
      } catch {
        await client?.end().catch(() => undefined);
        client = null;
        await new Promise((r) => setTimeout(r, 200));
      }
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
    await client?.end().catch(() => undefined);
  })();

  return {
    committed: () => committed,
    async stop() {
      stopping = true;
      await loop;
      return committed;
    },
  };
}
