// Convex access: the one client (function references, admin auth, timeout, retries, error mapping) and the
// readers and operations built on it. Nothing outside this folder talks to Convex over HTTP itself.
export { createConvexClient, DEFAULT_TIMEOUT_MS, type CallOptions, type ConvexClient, type ConvexClientOptions } from "./client";
export { DEFAULT_RETRY, type RetryOptions } from "./retry";
export { classifyConvexError, safeUrl, CallTimeoutError, HttpStatusError, type ClassifyContext } from "./errors";
export { createMirrorReader, FAIL_FAST_RETRIES, type MirrorReader } from "./mirror-reader";
export { resetConvexMirror } from "./reset-mirror";
