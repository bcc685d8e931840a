// The health endpoint of a spawned `pg2convex run` (it listens on a free port and logs the URL).
import { waitUntil } from "./wait";

type Run = { output(): string };

export async function healthUrl(run: Run, timeoutMs = 60_000): Promise<string> {
  return waitUntil("the health endpoint's URL in the log", () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.output())?.[1], timeoutMs);
}

export async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Until /readyz answers 200 as the leader. */
export async function waitLeading(url: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    `${url} leading`,
    async () => {
      const r = await readyz(url).catch(() => null);
      return r?.status === 200 && r.body.role === "leader";
    },
    timeoutMs,
  );
}
