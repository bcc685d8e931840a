// Tool failures of the lint (exit code 2). They reuse the project's stable codes: anything the operator
// can fix by changing options, paths or files is CONFIG_INVALID; a broken invariant is INTERNAL.
import { Pg2ConvexError, type ErrorContext } from "../errors";

/** Bad options, a config file that is not valid JSON, a path that does not exist or cannot be read. */
export class LintConfigError extends Pg2ConvexError {
  constructor(message: string, opts: { context?: ErrorContext; fix?: string; cause?: unknown } = {}) {
    super("CONFIG_INVALID", message, { ...opts, retryable: false });
    this.name = "LintConfigError";
  }
}

export class LintInternalError extends Pg2ConvexError {
  constructor(message: string, opts: { context?: ErrorContext; cause?: unknown } = {}) {
    super("INTERNAL", message, { ...opts, retryable: false });
    this.name = "LintInternalError";
  }
}

/** Wraps a file-system error so the message names the file and what to do about it. */
export function unreadablePath(path: string, cause: unknown): LintConfigError {
  const code = (cause as { code?: string }).code;
  const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : "cannot be read";
  return new LintConfigError(`${path} ${reason}`, {
    context: { path, errno: code },
    fix: "pass existing files or directories (paths are relative to the current directory)",
    cause,
  });
}
