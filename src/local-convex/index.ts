/**
 * Local Convex: an IN-MEMORY LOCAL STAND-IN for a Convex deployment, for tests and the demo.
 *
 * It is NOT the Convex backend. Convex's backend ships in no npm package and its binary cannot be
 * downloaded from the project's machines, so this small server speaks the subset of the Convex HTTP
 * API that `ConvexHttpClient` uses (/api/query, /api/mutation, /api/action, /api/function,
 * /api/query_ts, /api/query_at_ts; convex_encoded_json; `Authorization: Convex <admin key>`; the
 * backend's error shapes and status 560) and runs the app's real `convex/` functions through
 * `convex-test` with `transactionLimits: true`. It loads a patched copy of convex-test
 * (./fast-convex-test.ts): stock convex-test scans every document of every table for each query, which
 * makes large tables (tens of thousands of rows and up) unusably slow; the copy finds documents by
 * per-table id sets, hash indexes on the schema's indexes and cached index orders, with the same
 * results and errors. It needs convex-test 0.0.60 exactly and refuses to start with another version.
 *
 * What that means in practice:
 *  - all data lives in this process's memory and is lost when it exits; one process, one deployment;
 *  - mutations are serializable (one at a time, arrival order); queries never see partial writes;
 *  - Convex's per-transaction limits (16,000 documents written, 16 MiB written, …) are enforced by
 *    convex-test and surface as function errors carrying the Convex limit text;
 *  - no dashboard, no WebSocket sync, no HTTP actions (.site), no user auth providers, no history.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Pg2ConvexError } from "../errors";
import { silentLogger, type Logger } from "../log";
import { Executor } from "./executor";
import { loadFastConvexTest } from "./fast-convex-test";
import { createHandler } from "./http";
import { loadConvexApp } from "./modules";
import type { MutationRecord } from "./mutation-log";

export { loadConvexModules, type ConvexModules } from "./modules";
export { processMutations, type MutationRecord } from "./mutation-log";

export interface LocalConvexOptions {
  /** Absolute path of a convex/ folder that has a `_generated` folder. */
  convexDir: string;
  /** Required as `Authorization: Convex <adminKey>` for internal functions; a wrong key is always refused. */
  adminKey: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  logger?: Logger;
}

export interface LocalConvex {
  /** Base URL for `new ConvexHttpClient(url)` and `pg2convex run`. */
  url: string;
  port: number;
  /** The most recent mutations run here: execution ms and usage against Convex's limits (mutation-log.ts). */
  mutations(): readonly MutationRecord[];
  /** Stops accepting requests, lets in-flight ones finish (bounded), and frees the port. */
  close(): Promise<void>;
}

/** Connections still open this long after close() are cut, so close() always resolves. */
const CLOSE_GRACE_MS = 2_000;

export async function startLocalConvex(opts: LocalConvexOptions): Promise<LocalConvex> {
  if (!opts.adminKey) throw new Pg2ConvexError("CONFIG_INVALID", "The local Convex stand-in needs a non-empty admin key", { fix: "pass --admin-key or set CONVEX_ADMIN_KEY" });
  const logger = opts.logger ?? silentLogger;
  const app = await loadConvexApp(opts.convexDir);
  const executor = new Executor(app, await loadFastConvexTest());
  const server = createServer({ keepAlive: true }, createHandler({ app, executor, adminKey: opts.adminKey, logger }));
  // Only the client ends an idle keep-alive connection (0: no server idle timeout, and no Keep-Alive hint,
  // so clients use their own shorter one). A server-side timeout races a client that reuses the connection
  // at that moment: its request is reset (ECONNRESET), which a loaded machine, firing both timers late,
  // turns into failed mutations. close() still ends idle connections.
  server.keepAliveTimeout = 0;
  const host = opts.host ?? "127.0.0.1";

  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      const fix = e.code === "EADDRINUSE" ? "choose another --port (0 picks a free one) or stop the process using it" : undefined;
      reject(new Pg2ConvexError("CONFIG_INVALID", `Local Convex could not listen on ${host}:${opts.port ?? 0}: ${e.message}`, { context: { host, port: opts.port ?? 0 }, cause: e, ...(fix ? { fix } : {}) }));
    });
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.debug({ url, convexDir: opts.convexDir, modules: app.entryPoints.size }, "local-convex: listening");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    }));
  return { url, port, close, mutations: () => executor.mutations.all() };
}
