// The fetch under ConvexHttpClient. Two things the client cannot do itself: keep the HTTP status of a failed
// request (it only keeps the body text), and bound each request in time (it has no timeout). Invariant: a
// response handed back to the client is complete — its body was read inside the time bound — so a call
// that takes too long always fails here, as a CallTimeoutError, never later inside the client.

/** A non-function failure with its HTTP status (a proxy's 503, a gateway's 404, a refused admin key's 401). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
    readonly path = "",
  ) {
    super(`HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

/** No complete answer within the per-call timeout. */
export class CallTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly path = "",
  ) {
    super(`no answer${path ? ` for ${path}` : ""} within ${timeoutMs} ms`);
  }
}

/** 560 is Convex's "function failed" status: the client parses that body itself. */
const FUNCTION_FAILED = 560;

export function boundedFetch(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const path = pathOf(input);
    try {
      const res = await fetch(input, { ...init, signal });
      const body = await res.text();
      if (!res.ok && res.status !== FUNCTION_FAILED) throw new HttpStatusError(res.status, body, res.url ? pathOf(res.url) : path);
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (e) {
      if (timeout.aborted) throw new CallTimeoutError(timeoutMs, path);
      throw e;
    }
  };
}

function pathOf(input: string | URL | Request): string {
  try {
    return new URL(typeof input === "string" || input instanceof URL ? input : input.url).pathname;
  } catch {
    return "";
  }
}
