// Parent side of bench/convex-process.ts: starts the stand-in in its own process and reads its mutation log.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ConvexChild {
  url: string;
  /** Mutations the child has run so far (a position for mutationsSince). */
  count(): Promise<number>;
  /** The mutations run after the log held `since`: path and execution ms (src/local-convex/mutation-log.ts). */
  mutationsSince(since: number): Promise<Array<{ path: string; ms: number }>>;
  close(): Promise<void>;
}

type Reply = { type: "listening"; url: string } | { type: "mutations"; count: number; records: Array<{ path: string; ms: number }> };

const ENTRY = fileURLToPath(new URL("./convex-process.ts", import.meta.url));

export async function startConvexChild(adminKey: string): Promise<ConvexChild> {
  const p: ChildProcess = fork(ENTRY, [], { execArgv: ["--import", "tsx"], env: { ...process.env, BENCH_CONVEX_ADMIN_KEY: adminKey }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = <T extends Reply["type"]>(type: T) =>
    new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`local Convex child exited ${code} before answering ${type}`));
      p.once("exit", onExit);
      const onMessage = (m: Reply) => {
        if (m.type !== type) return;
        p.off("message", onMessage);
        p.off("exit", onExit);
        resolve(m as Extract<Reply, { type: T }>);
      };
      p.on("message", onMessage);
    });
  const { url } = await next("listening");
  // Requests are answered in order, one at a time here, so the next reply of a type is this request's.
  const mutations = async (since: number) => {
    const reply = next("mutations");
    p.send({ type: "mutations", since });
    return reply;
  };
  return {
    url,
    count: async () => (await mutations(Number.MAX_SAFE_INTEGER)).count,
    mutationsSince: async (since) => (await mutations(since)).records,
    close: () =>
      new Promise<void>((resolve) => {
        if (p.exitCode !== null) return resolve();
        p.once("exit", () => resolve());
        p.send({ type: "close" });
      }),
  };
}
