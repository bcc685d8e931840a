// Backfill scheduling: up to `concurrency` apply calls in flight across tables and key ranges.
// Invariants:
//  - a table's first batch is sent only once every table it waits for (`after`) is complete: all its chunks
//    applied and its `done` mark durable, so children never land before parents;
//  - a batch carries a cursor mark only for chunks whose batches, and all their predecessors', are durable:
//    the batch's own chunk end when everything before it is applied at send time (the mark then commits with
//    the rows), else the last contiguous applied chunk end. Convex keeps the furthest mark (mergeProgress), so
//    an older mark landing late is ignored, and a crash resumes without gaps (it may redo up to N chunks);
//  - the first failure stops scheduling: no apply starts after it, the in-flight ones settle, and the error is
//    rethrown with the table and key range of the failed chunk (a Pg2ConvexError keeps its code); no later chunk is recorded as done;
//  - memory: at most `concurrency` batches in flight plus one chunk being read per started table.
import type { Batch } from "../plan";
import type { BackfillMark } from "../sink";
import { Pg2ConvexError } from "../errors";

export type Mark = BackfillMark["progress"];

export interface Chunk {
  batches: Batch[];
  /** The table's progress once this chunk (and every one before it) is durable. */
  mark: Mark;
  /** Key range read, for error context: the cursor before the chunk (null = start). */
  from: string[] | null;
}

export interface TableJob {
  table: string;
  /** Tables that must be complete before this one starts. */
  after: string[];
  /** At most one batch in flight for this table (e.g. a self-referencing table). */
  serial: boolean;
  /** Next chunk, or null when the table is exhausted. Called again only after the previous one was queued. */
  next(): Promise<Chunk | null>;
}

export type ApplyFn = (batch: Batch, mark: BackfillMark["progress"] | undefined) => Promise<unknown>;

export async function runSchedule(jobs: readonly TableJob[], concurrency: number, apply: ApplyFn): Promise<void> {
  const complete = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  for (const j of jobs) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    complete.set(j.table, { promise, resolve });
  }
  let failure: unknown = null;
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const inFlight = new Set<Promise<void>>();
  let active = 0; // permits taken: counted synchronously, so concurrent senders never overshoot
  const waiters: Array<() => void> = [];
  const release = () => {
    active--;
    waiters.shift()?.();
  };
  const fail = (e: unknown) => {
    if (failure === null) failure = e;
    stop();
    while (waiters.length) waiters.shift()!();
  };
  // A permit: resolves once fewer than `concurrency` applies are in flight (or scheduling stopped).
  const permit = async () => {
    while (failure === null && active >= concurrency) await new Promise<void>((r) => waiters.push(r));
    if (failure !== null) throw failure;
    active++;
  };

  const runTable = async (job: TableJob) => {
    await Promise.race([Promise.all(job.after.map((t) => complete.get(t)?.promise)), stopped]);
    if (failure !== null) return;
    let seq = 0;
    let contiguous = -1; // every batch with seq <= contiguous is durable
    const applied = new Set<number>();
    const ends: Array<{ seq: number; mark: Mark }> = [];
    let recorded: Mark | undefined; // furthest mark sent whose batch is durable
    const mine = new Set<Promise<void>>();
    // The last chunk end that is durable. Ends before it are dropped, so `ends` holds about `concurrency`
    // entries instead of one per chunk of the table (a scan per batch would be quadratic in the table's size).
    const frontier = () => {
      while (ends.length > 1 && ends[1]!.seq <= contiguous) ends.shift();
      const first = ends[0];
      return first && first.seq <= contiguous ? first.mark : undefined;
    };
    const send = async (batch: Batch, mark: Mark | undefined, ctx: Chunk | null) => {
      if (job.serial) await Promise.all(mine);
      await permit();
      const s = seq++;
      const p = apply(batch, mark).then(
        () => {
          applied.add(s);
          while (applied.has(contiguous + 1)) applied.delete(++contiguous);
          if (mark && (!recorded || mark.done || mark.rows >= recorded.rows)) recorded = mark;
        },
        (e) => fail(withContext(e, job.table, ctx)),
      );
      const tracked = p.finally(() => {
        inFlight.delete(tracked);
        mine.delete(tracked);
        release();
      });
      inFlight.add(tracked);
      mine.add(tracked);
      return s;
    };
    try {
      for (;;) {
        const chunk = await job.next();
        if (failure !== null) return;
        if (!chunk) break;
        for (const [i, b] of chunk.batches.entries()) {
          const last = i === chunk.batches.length - 1;
          // Everything before this batch durable: its chunk's mark can commit with it.
          const own = last && contiguous === seq - 1;
          const s = await send(b, own ? chunk.mark : frontier(), chunk);
          if (last) ends.push({ seq: s, mark: chunk.mark });
        }
      }
      await Promise.all(mine);
      if (failure !== null) return;
      const final = ends.at(-1)?.mark;
      if (final && !recorded?.done) {
        await send({ id: `backfill-${job.table}-end`, ops: [], txCount: 0, rowCount: 0 }, { ...final, done: true, after: null }, null);
        await Promise.all(mine);
        if (failure !== null) return;
      }
      complete.get(job.table)!.resolve();
    } catch (e) {
      fail(e === failure ? e : withContext(e, job.table, null));
    }
  };

  await Promise.all(jobs.map((j) => runTable(j)));
  await Promise.all(inFlight);
  if (failure !== null) throw failure;
}

function withContext(e: unknown, table: string, chunk: Chunk | null): unknown {
  const context = { table, from: chunk?.from ?? null, to: chunk?.mark.after ?? null };
  if (e instanceof Pg2ConvexError) {
    const wrapped = new Pg2ConvexError(e.code, `backfill of ${table}: ${e.message}`, { retryable: e.retryable, context: { ...e.context, ...context }, cause: e, ...(e.fix === undefined ? {} : { fix: e.fix }) });
    return wrapped;
  }
  // Anything else (e.g. a PostgreSQL read error) keeps its identity: the caller classifies it as before.
  return e;
}
