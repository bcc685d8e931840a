// `pg2convex local-convex` as an operator runs it: a child process that prints its URL, serves the
// functions, and exits 0 on SIGTERM/SIGINT.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { afterEach, describe, expect, it } from "vitest";
import { setAdminAuth } from "../../src/local-convex/testing";
import { FIXTURE_CONVEX_DIR, fn } from "./support";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  /** Settles once the process exited AND its stdout/stderr were read to the end ('close', not 'exit'). */
  exit: Promise<number | null>;
  /** Resolves when the output so far matches `re`; rejects if the process ends first. */
  until: (re: RegExp) => Promise<RegExpExecArray>;
}

function runCli(args: string[], env: Record<string, string | undefined> = {}): Cli {
  const { CONVEX_ADMIN_KEY: _drop, ...base } = process.env;
  const child = spawn(process.execPath, [BIN, "local-convex", ...args], { env: { ...base, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  let closed = false;
  const exit = new Promise<number | null>((r) =>
    child.on("close", (code) => {
      closed = true;
      for (const w of [...waiters]) w();
      r(code);
    }),
  );
  const until = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m || closed) waiters.delete(check);
        if (m) resolve(m);
        else if (closed) reject(new Error(`local-convex exited before printing ${re}:\n${out}`));
      };
      waiters.add(check);
      check();
    });
  return { child, stdout: () => out, exit, until };
}

// Start-up (tsx compiling the CLI, loading the Convex functions) is slow on a loaded machine; the test's own
// timeout bounds the wait.
const waitForUrl = async (cli: Cli): Promise<string> => (await cli.until(/listening at (http:\/\/\S+)\n/))[1]!;

describe("pg2convex local-convex", () => {
  it("prints its URL, serves internal functions for --admin-key without echoing it, and exits 0 on SIGTERM", async () => {
    const key = "cli-test-key|feedface";
    const cli = runCli(["--port", "0", "--convex-dir", FIXTURE_CONVEX_DIR, "--admin-key", key]);
    const url = await waitForUrl(cli);
    expect(cli.stdout()).toMatch(/Local Convex \(stand-in, in-memory\) listening at http:\/\/127\.0\.0\.1:\d+/);
    const client = new ConvexHttpClient(url, { logger: false });
    setAdminAuth(client, key);
    expect(await client.query(fn.internalSecret, {})).toBe("secret");
    expect(cli.stdout()).not.toContain(key);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toBe(0);
  });

  it("generates and prints an admin key once when none is given, and honours SIGINT", async () => {
    const cli = runCli(["--port", "0", "--convex-dir", FIXTURE_CONVEX_DIR]);
    const url = await waitForUrl(cli);
    const key = /Generated admin key[^:]*: (\S+)/.exec(cli.stdout())?.[1];
    expect(key).toMatch(/^local-convex\|[0-9a-f]{48}$/);
    // The key comes before the readiness line, so a script that waits for the URL always has it.
    expect(cli.stdout().indexOf("Generated admin key")).toBeLessThan(cli.stdout().indexOf("listening at"));
    const client = new ConvexHttpClient(url, { logger: false });
    setAdminAuth(client, key!);
    expect(await client.mutation(fn.internalAdd, { name: "cli", by: 2 })).toBe("added");
    cli.child.kill("SIGINT");
    expect(await cli.exit).toBe(0);
    expect(cli.stdout().split(key!).length - 1).toBe(1);
  });

  it("takes the key from CONVEX_ADMIN_KEY and does not print it", async () => {
    const cli = runCli(["--port", "0", "--convex-dir", FIXTURE_CONVEX_DIR], { CONVEX_ADMIN_KEY: "env-key|1234" });
    const url = await waitForUrl(cli);
    const client = new ConvexHttpClient(url, { logger: false });
    setAdminAuth(client, "env-key|1234");
    expect(await client.query(fn.internalSecret, {})).toBe("secret");
    expect(cli.stdout()).not.toMatch(/env-key|Generated admin key/);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toBe(0);
  });

  it("rejects a bad --port with exit code 2", async () => {
    const cli = runCli(["--port", "seventy", "--convex-dir", FIXTURE_CONVEX_DIR]);
    expect(await cli.exit).toBe(2);
    expect(cli.stdout()).toMatch(/--port must be an integer/);
  });
});
