// One PostgreSQL connection shared by concurrent users (the stream's SQL session: heartbeats, the catalog check,
// the values slot; parity's per-table re-checks): queries are queued here, in order, instead of relying on pg's
// deprecated implicit queue (pg 8 warns on stderr, pg 9 removes it). Only `query` is intercepted.
import type pg from "pg";

export function serialQueries<C extends pg.ClientBase>(client: C): C {
  let tail: Promise<unknown> = Promise.resolve();
  const query = (...args: unknown[]) => {
    const run = tail.then(() => (client.query as (...a: unknown[]) => Promise<unknown>)(...args));
    tail = run.catch(() => undefined);
    return run;
  };
  return new Proxy(client, { get: (target, prop) => (prop === "query" ? query : Reflect.get(target, prop, target)) });
}
