// The real `pg2convex run` process for fault-injection tests, pointed at PostgreSQL and Convex through
// whatever path the test chooses (a TCP proxy), plus what the tests read from it: its /healthz and /metrics.
import { spawnCli, type CliProcess } from "./cli-process";
import type { MirrorEnv } from "./mirror-env";

export interface Bridge extends CliProcess {
  /** The health endpoint's base URL, as the process logged it. */
  healthUrl(): string;
  health(): Promise<{ status: number; body: { status: string; phase: string; degraded?: string[] } }>;
  /** One sample of /metrics (labels included in the name, e.g. `pg2convex_outage_current_seconds{dependency="convex"}`). */
  metric(name: string): Promise<number | undefined>;
}

export function spawnBridge(env: MirrorEnv, paths: { databaseUrl?: string; convexUrl?: string } = {}, args: string[] = []): Bridge {
  const p = spawnCli(["run", ...args], {
    DATABASE_URL: paths.databaseUrl ?? env.db.url,
    CONVEX_URL: paths.convexUrl ?? env.convex.url,
    CONVEX_ADMIN_KEY: env.convex.adminKey,
    PG2CONVEX_SLOT: env.config.slot,
    PG2CONVEX_METRICS_PORT: "0",
    PG2CONVEX_FLUSH_INTERVAL_MS: "50",
    LOG_LEVEL: "info",
  });
  const healthUrl = () => {
    const m = /"url":"(http:\/\/[^"]+)"[^\n]*health and metrics endpoint up/.exec(p.stdout());
    if (!m) throw new Error(`no health endpoint logged yet:\n${p.stdout().slice(-2000)}`);
    return m[1]!;
  };
  return Object.assign(p, {
    healthUrl,
    async health() {
      const res = await fetch(`${healthUrl()}/healthz`);
      return { status: res.status, body: (await res.json()) as { status: string; phase: string; degraded?: string[] } };
    },
    async metric(name: string) {
      const text = await (await fetch(`${healthUrl()}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    },
  });
}

/** The process is still running and printed nothing on stderr (no fatal line, no crash dump). */
export function expectAlive(b: Bridge): void {
  if (b.child.exitCode !== null || b.child.signalCode !== null) throw new Error(`the bridge exited (${b.child.exitCode ?? b.child.signalCode}):\n${b.stdout().slice(-3000)}\n${b.stderr()}`);
  if (b.errorLines().length > 0) throw new Error(`the bridge printed on stderr:\n${b.stderr()}`);
}
