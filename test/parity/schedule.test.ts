// `pg2convex run --parity-every`: the sidecar (a real process) checks parity on a timer beside the stream
// and exposes per-table drift as pg2convex_parity_drift_rows{table}, without disturbing the stream.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { tamper } from "./support";

let env: MirrorEnv;
beforeAll(async () => {
  env = await createMirrorEnv({ seed: { languages: 4, courses: 3, stories: 40, users: 5 } });
});
afterAll(async () => env?.close());

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it("runs parity on a timer and exports per-table drift as a metric", async () => {
  const run = env.spawnRun(["--parity-every", "1s", "--parity-mode", "full"]);
  // Steady unrelated writes keep the checkpoint moving, so each run's lag wait is short.
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      await env.db.client.query("UPDATE avatar SET name = $1 WHERE id = 1", [`tick ${i}`]);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    const url = await until("the metrics endpoint", async () => /"url":"(http:\/\/[^"]+)"[^\n]*metrics endpoint up/.exec(run.output())?.[1]);
    const metric = async (table: string) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = new RegExp(`^pg2convex_parity_drift_rows\\{table="${table}"\\} (\\d+)$`, "m").exec(text);
      return m ? Number(m[1]) : undefined;
    };
    expect(await until("a clean parity run", () => metric("story"))).toBe(0);
    await tamper(env, "story", [7], "patch", { name: "edited behind the bridge" });
    await until("the drift metric", async () => ((await metric("story")) === 1 ? true : undefined));
    expect(await metric("language")).toBe(0);
    expect(run.output()).toMatch(/"table":"story"[^\n]*"summary":"1 mismatch \(name\)"[^\n]*parity drift/);
    // The stream kept going all along.
    await env.db.client.query("UPDATE language SET name = 'still streaming' WHERE id = 2");
    await until("the stream", async () => ((await env.reader.getByKeys("language", [[2]]))[0]?.name === "still streaming" ? true : undefined));
  } finally {
    writing = false;
    await writer;
    run.kill("SIGTERM");
    await until("the sidecar to exit", async () => (run.exitCode !== null ? true : undefined), 60_000);
  }
  expect(run.exitCode).toBe(0);
});
