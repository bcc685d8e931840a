// Decides whether a failed Convex call may be retried, and says what went wrong in words an operator can act
// on. Retrying is always safe (batches are idempotent); the question is only whether it can help. Invariant:
// messages name the deployment by its URL without credentials, and never carry the admin key.
import { Pg2ConvexError } from "../errors";
import type { Op } from "../mirror-functions/wire/protocol";
import { isValidatorError, schemaMismatchError } from "./schema-mismatch";
import { ConvexError } from "convex/values";
import { leaderFenced, mirrorRefusal } from "./mirror-refusal";
import { isLeaderErrorData } from "../mirror-functions/apply/leader-epoch";
import { isMirrorErrorData } from "../mirror-functions/apply/mirror-identity";
import { CallTimeoutError, HttpStatusError } from "./transport";

export { CallTimeoutError, HttpStatusError };

const TRANSIENT_MESSAGES = [/OptimisticConcurrencyControlFailure/i, /changed while this mutation was being run/i, /\bconflict/i, /overloaded|temporarily unavailable|try again/i];

const NETWORK = /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up|network/i;

const TRANSIENT_FIX = "Convex kept failing: check the deployment's status, then start pg2convex again (`run` retries until --max-outage; other commands: a higher --retries rides out longer outages)";

const LIMIT_MESSAGES = /too many|too much|limit|too large/i;

const MISSING_FUNCTION = /Could not find (?:public )?function for '([^']+)'|Trying to execute (\S+) as \w+, but it is defined as/;

/** The deployment URL as it may be shown: no user, password, query or fragment. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

export interface ClassifyContext {
  /** Deployment URL (shown without credentials). */
  url?: string;
  /** The ops of the batch the call carried, to name the table and field of a validator error. */
  ops?: readonly Op[];
  [k: string]: unknown;
}

export function classifyConvexError(e: unknown, ctx: ClassifyContext): Pg2ConvexError {
  if (e instanceof Pg2ConvexError) return e;
  const { ops, url: rawUrl, ...rest } = ctx;
  const url = rawUrl === undefined ? "the Convex deployment" : safeUrl(rawUrl);
  const context = { ...rest, ...(rawUrl === undefined ? {} : { url }) };
  if (e instanceof ConvexError && isMirrorErrorData(e.data)) return mirrorRefusal(e.data, context, e);
  if (e instanceof ConvexError && isLeaderErrorData(e.data)) return leaderFenced(e.data, context, e);
  const message = e instanceof Error ? e.message : String(e);
  const notConvex = (what: string) =>
    new Pg2ConvexError("CONVEX_NOT_A_DEPLOYMENT", `${url} is not a Convex deployment: ${what}`, {
      context,
      cause: e,
      fix: "set CONVEX_URL (--convex-url) to the deployment URL: https://<deployment>.convex.cloud from the Convex dashboard, or the URL `pg2convex local-convex` prints",
    });
  if (e instanceof CallTimeoutError) {
    // Retrying is safe for the same reason as after a dropped connection: the call may have run, and a
    // repeated call is a no-op where it did.
    return new Pg2ConvexError("CONVEX_UNREACHABLE", `Convex at ${url} did not answer ${e.path || "the call"} within ${e.timeoutMs} ms`, {
      retryable: true,
      context,
      cause: e,
      fix: "check that the deployment (or `pg2convex local-convex`) is up and answering from this host; `run` retries until --max-outage, other commands a higher --retries rides out longer outages",
    });
  }
  if (e instanceof HttpStatusError) {
    if (e.status === 401 || e.status === 403) {
      return new Pg2ConvexError("CONVEX_AUTH", `Convex at ${url} rejected the admin key (HTTP ${e.status}${bodyCode(message)})`, {
        context,
        cause: e,
        fix: "set CONVEX_ADMIN_KEY (--admin-key) to a deploy or admin key of this deployment (Convex dashboard: the deployment's settings; local stand-in: the key `pg2convex local-convex` printed)",
      });
    }
    if (e.status === 404) return notConvex(`it answered HTTP 404 for ${e.path || "the Convex API"}`);
    const transient = e.status >= 500 || e.status === 429 || e.status === 408;
    return new Pg2ConvexError(transient ? "CONVEX_TRANSIENT" : "CONVEX_PERMANENT", `Convex call failed: ${message}`, {
      retryable: transient,
      context,
      cause: e,
      fix: transient ? TRANSIENT_FIX : `check CONVEX_URL (a proxy or gateway in front of ${url}?) and the deployment's logs, then start pg2convex again`,
    });
  }
  // A 200 answer that is not the Convex API's JSON: some other web server.
  if (e instanceof SyntaxError || /^Invalid response: /.test(message)) return notConvex(`its answer is not the Convex API's (${message.slice(0, 120)})`);
  const missing = MISSING_FUNCTION.exec(message);
  if (missing) {
    const fn = (missing[1] ?? missing[2])!;
    return new Pg2ConvexError("CONVEX_FUNCTIONS_MISSING", `the Convex deployment at ${url} has no mirror function ${fn} (or an out-of-date one)`, {
      context,
      cause: e,
      fix: "--convex-module (PG2CONVEX_CONVEX_MODULE) must name the convex/ module that re-exports the mirror functions (default: mirror); deploy them with `npx convex deploy` (local stand-in: restart `pg2convex local-convex` with --convex-dir)",
    });
  }
  if (isValidatorError(message)) return schemaMismatchError(message, ops, context, e);
  if (NETWORK.test(message) || (e instanceof TypeError && /fetch/i.test(message))) {
    const code = networkCode(e);
    return new Pg2ConvexError("CONVEX_UNREACHABLE", `cannot reach Convex at ${url}: ${message}${code ? ` (${code})` : ""}`, {
      retryable: true,
      context,
      cause: e,
      fix: "check CONVEX_URL (--convex-url) and that the deployment (or `pg2convex local-convex`) is up and reachable from this host",
    });
  }
  if (TRANSIENT_MESSAGES.some((r) => r.test(message))) {
    return new Pg2ConvexError("CONVEX_TRANSIENT", `Convex call failed (transient): ${message}`, { retryable: true, context, cause: e, fix: TRANSIENT_FIX });
  }
  if (LIMIT_MESSAGES.test(message)) {
    return new Pg2ConvexError("BATCH_TOO_LARGE", `Convex refused the batch as over a limit: ${message}`, {
      context,
      cause: e,
      fix: "lower --max-batch-ops; the planner's cost estimate under-counted this batch",
    });
  }
  return new Pg2ConvexError("CONVEX_PERMANENT", `Convex mutation failed: ${message}`, {
    context,
    cause: e,
    fix: "see the deployment's function logs for the failing function; the checkpoint did not move, so starting pg2convex again after the fix resumes where it stopped",
  });
}

/** ", BadAdminKey" from a Convex error body {"code": …}; nothing else of the body (it is not ours to print). */
function bodyCode(message: string): string {
  const code = /"code"\s*:\s*"([A-Za-z]+)"/.exec(message)?.[1];
  return code ? `, ${code}` : "";
}

/** The errno code behind undici's "fetch failed" (ECONNREFUSED, ENOTFOUND, …). */
function networkCode(e: unknown): string | undefined {
  let c: unknown = e;
  for (let i = 0; i < 4 && c; i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
    const errors = (c as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) c = errors[0];
    else c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}
