// The real CLI in its own process with stdout and stderr kept apart, for tests about how the process ends:
// its exit code, how long it took, and the lines it printed.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));

// A test that fails midway leaves its processes running (a `pg2convex run` streams for ever); they would hold
// slots and CPU for the rest of the suite. Whatever a test file spawned is killed when that file ends.
const live = new Set<ChildProcess>();
const killAll = () => {
  for (const c of live) c.kill("SIGKILL");
  live.clear();
};
afterAll(killAll);
process.once("exit", killAll);

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Non-empty stderr lines. */
  errorLines(): string[];
  /** Resolves when stdout or stderr matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit; rejects (and kills the process) if it is still running after timeoutMs. */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: string[], env: Record<string, string>): CliProcess {
  let out = "";
  let err = "";
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const describe = () => `stdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    errorLines: () => err.split("\n").filter((l) => l.trim() !== ""),
    async waitFor(pattern, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (!pattern.test(out) && !pattern.test(err)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited before ${pattern} appeared\n${describe()}`);
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}\n${describe()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`still running after ${timeoutMs} ms\n${describe()}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
