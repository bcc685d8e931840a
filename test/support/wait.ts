// Waiting on conditions, never on time: a probe is polled until it holds, with a bound generous enough for
// a loaded CI machine (the bound only turns a hang into a message; passing tests never reach it).
import type { MirrorEnv } from "./mirror-env";

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Until a bridge streams the env's slot. startMirror resolves before its replication connection is up, and
 * parity treats an inactive slot as "no bridge streaming" (it does not wait then).
 */
export async function waitForStreaming(env: MirrorEnv): Promise<void> {
  await waitUntil(`a bridge streaming slot ${env.config.slot}`, async () => {
    const { rows } = await env.db.client.query("SELECT active FROM pg_replication_slots WHERE slot_name = $1", [env.config.slot]);
    return rows[0]?.active === true;
  });
}
