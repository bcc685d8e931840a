// HTTP routing for the stand-in: the endpoints ConvexHttpClient calls, nothing else.
//   POST /api/query | /api/mutation | /api/action   body {path, format, args: [obj]}
//   POST /api/function                              body {path, format, args: obj, componentPath?}
//   POST /api/query_ts → {ts};  POST /api/query_at_ts  body {path, format, args: [obj], ts}
//   GET  /version (liveness)
// Status codes: 200 function succeeded; 560 function failed ({status:"error", errorMessage, errorData?});
// 400/401/404/405/413 request refused ({code, message}); 500 a bug in the stand-in.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getConvexSize, type Value } from "convex/values";
import type { Logger } from "../log";
import { authenticate, type Caller } from "./auth";
import type { Executor, Outcome } from "./executor";
import { resolveFunction, splitPath } from "./functions";
import type { ConvexApp } from "./modules";
import { decodeArgs, decodeTs, encodeTs, failureBody, formatBinarySize, HttpError, MAX_ARGS_BYTES, MAX_BODY_BYTES, parseUdfBody, STATUS_UDF_FAILED, successBody, type UdfKind } from "./protocol";

export interface HandlerDeps {
  app: ConvexApp;
  executor: Executor;
  adminKey: string;
  logger: Logger;
}

type Reply = { status: number; body: unknown };

const UDF_ROUTES: Record<string, { kind: UdfKind | "any"; atTs?: boolean }> = {
  "/api/query": { kind: "query" },
  "/api/mutation": { kind: "mutation" },
  "/api/action": { kind: "action" },
  "/api/function": { kind: "any" },
  "/api/query_at_ts": { kind: "query", atTs: true },
};

export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const pathname = new URL(req.url ?? "/", "http://stand-in").pathname.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
    handle(deps, req, pathname)
      .catch((e: unknown): Reply => {
        if (e instanceof HttpError) return { status: e.status, body: { code: e.code, message: e.message } };
        deps.logger.error({ err: e, path: pathname }, "local-convex: internal error");
        return { status: 500, body: { code: "InternalServerError", message: `Local Convex stand-in failed: ${(e as Error)?.message ?? String(e)}` } };
      })
      .then((reply) => {
        deps.logger.debug({ method: req.method, path: pathname, status: reply.status, ms: Math.round(performance.now() - started) }, "local-convex: request");
        const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, { "Content-Type": typeof reply.body === "string" ? "text/plain; charset=utf-8" : "application/json" });
        res.end(text);
      })
      .catch(() => res.destroy()); // the client went away mid-reply: nothing left to tell it
  };
}

async function handle(deps: HandlerDeps, req: IncomingMessage, pathname: string): Promise<Reply> {
  if (pathname === "/version" && req.method === "GET") return { status: 200, body: "pg2convex-local-convex" };
  const route = UDF_ROUTES[pathname];
  if (!route && pathname !== "/api/query_ts") throw new HttpError(404, "NotFound", `The local Convex stand-in has no route ${req.method} ${pathname}`);
  if (req.method !== "POST") throw new HttpError(405, "MethodNotAllowed", `${pathname} accepts POST only`);
  const caller = authenticate(req.headers.authorization, deps.adminKey);
  const text = await readBody(req);
  if (!route) return { status: 200, body: { ts: encodeTs(deps.executor.latestTs()) } };

  const body = parseUdfBody(text);
  if (body.componentPath) throw new HttpError(400, "ComponentsUnsupported", "The local Convex stand-in serves the root component only");
  if (route.atTs && body.ts === undefined) throw new HttpError(400, "BadJsonBody", "Invalid request body at `ts`: required");
  const requestId = randomBytes(8).toString("hex");
  const outcome = await runFunction(deps, route.kind, body.path, body.args, caller, route.atTs ? decodeTs(body.ts!) : undefined);
  if (outcome.ok) return { status: 200, body: successBody(outcome.value) };
  deps.logger.debug({ fn: body.path, requestId, error: outcome.message }, "local-convex: function failed");
  return { status: STATUS_UDF_FAILED, body: failureBody(requestId, outcome.message, outcome.data) };
}

async function runFunction(deps: HandlerDeps, kind: UdfKind | "any", path: string, rawArgs: unknown, caller: Caller, atTs?: bigint): Promise<Outcome> {
  const resolution = resolveFunction(deps.app, path, kind, caller.admin);
  if (!resolution.ok) return { ok: false, message: resolution.message };
  const { module, name } = splitPath(path);
  let args: Record<string, Value>;
  try {
    args = decodeArgs(rawArgs);
  } catch (e) {
    return { ok: false, message: `Invalid arguments for ${module}:${name}: ${(e as Error).message}` };
  }
  // Measured like the backend: the Convex size of the positional-arguments array.
  const size = getConvexSize([args]);
  if (size > MAX_ARGS_BYTES) {
    return { ok: false, message: `Arguments for ${module}.js:${name} are too large (actual: ${formatBinarySize(size)}, limit: ${formatBinarySize(MAX_ARGS_BYTES)})` };
  }
  if (atTs === undefined) return deps.executor.run(resolution.fn, args, caller);
  const outcome = await deps.executor.runQueryAt(resolution.fn, args, caller, atTs);
  if (outcome) return outcome;
  throw new HttpError(400, "QueryTimestampUnavailable", "The local Convex stand-in keeps no history: data changed since that timestamp (or an action is running). Take a new timestamp with a new client.");
}

/** Reads the whole body. Past MAX_BODY_BYTES it keeps draining (so the client can read the reply) and then refuses. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) {
        reject(
          new HttpError(413, "PayloadTooLarge", `Request body is ${formatBinarySize(size)}; the local Convex stand-in accepts at most ${formatBinarySize(MAX_BODY_BYTES)} (Convex limits function arguments to ${formatBinarySize(MAX_ARGS_BYTES)})`),
        );
      } else {
        resolve(Buffer.concat(chunks).toString("utf8"));
      }
    });
    req.on("error", reject);
  });
}
