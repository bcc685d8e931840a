// Typed errors. Every error the bridge raises carries a stable `code`, the context needed to act on it
// (table, key, column, LSN where they apply) and whether retrying the same operation can help. Codes and what
// each means: codes.ts (docs/errors.md).
import type { ErrorCode } from "./codes";
import { formatKey } from "../model/key";

export type { ErrorCode } from "./codes";

export interface ErrorContext {
  table?: string;
  key?: unknown;
  column?: string;
  lsn?: string;
  [k: string]: unknown;
}

export class Pg2ConvexError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly context: ErrorContext;
  /** One line telling the operator what to do about it, when there is something to do. */
  readonly fix?: string;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; context?: ErrorContext; fix?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "Pg2ConvexError";
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.context = opts.context ?? {};
    if (opts.fix !== undefined) this.fix = opts.fix;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, retryable: this.retryable, context: this.context, fix: this.fix };
  }
}

export function isRetryable(e: unknown): boolean {
  return e instanceof Pg2ConvexError && e.retryable;
}

/** Renders an error for a terminal: message, context and fix on separate lines. */
export function describeError(e: unknown): string {
  if (!(e instanceof Pg2ConvexError)) return e instanceof Error ? e.message : String(e);
  const ctx = contextText(e);
  return [`[${e.code}] ${e.message}`, ctx && `  context: ${ctx}`, e.fix && `  fix: ${e.fix}`].filter(Boolean).join("\n");
}

/**
 * The one line a process prints when it stops on an error: what happened (code, message, context) and what to
 * do (fix). Multi-line messages (server texts, validator dumps) are folded so the line stays one line.
 */
export function describeErrorLine(e: unknown): string {
  if (!(e instanceof Pg2ConvexError)) return oneLine(e instanceof Error ? e.message : String(e));
  const ctx = contextText(e);
  return oneLine([`[${e.code}] ${e.message}`, ctx && `(${ctx})`, e.fix && `— fix: ${e.fix}`].filter(Boolean).join(" "));
}

function contextText(e: Pg2ConvexError): string {
  return (
    Object.entries(e.context)
      .filter(([, v]) => v !== undefined)
      // A key prints as formatKey does (int8 as decimal digits, bytes as \\x-hex), never Convex's wire form.
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : k === "key" && Array.isArray(v) ? formatKey(v) : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`)
      .join(" ")
  );
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " | ").trim();
