// A throwaway PostgreSQL cluster with wal2json, for tests, the demo and the bench.
// Invariant: the cluster is always started as the `postgres` OS user when we are root (PostgreSQL refuses
// to run as root), listens only on 127.0.0.1, and lives entirely under `dir`, so stop() + rm leaves nothing behind.
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PgCluster {
  readonly port: number;
  readonly dir: string;
  /** Connection string for `database` as the superuser `postgres` (no password: trust on loopback). */
  url(database?: string): string;
  /**
   * `pg_ctl restart -m fast`: every session is ended (57P01), the server is back on the same port when it
   * resolves. Asynchronous: a fast shutdown waits for walsenders, whose clients may live in this process.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function postgresBinDir(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error("PostgreSQL server binaries not found; run: apt-get install -y postgresql-15 postgresql-15-wal2json");
  return join(base, versions[0], "bin");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function asPostgres(bin: string, args: string[], opts: { input?: string } = {}): string {
  const [cmd, fullArgs] = isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  return execFileSync(cmd, fullArgs as string[], { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], input: opts.input });
}

function asPostgresAsync(bin: string, args: string[]): Promise<void> {
  const [cmd, fullArgs] = isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  return new Promise((resolve, reject) => execFile(cmd, fullArgs as string[], (e) => (e ? reject(e) : resolve())));
}

export interface StartClusterOptions {
  dir?: string;
  port?: number;
  /** Extra postgresql.conf lines. */
  settings?: Record<string, string | number>;
}

export async function startCluster(opts: StartClusterOptions = {}): Promise<PgCluster> {
  const bin = postgresBinDir();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "pg2convex-pg-"));
  mkdirSync(dir, { recursive: true });
  const data = join(dir, "data");
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  if (!existsSync(join(data, "PG_VERSION"))) {
    asPostgres(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
  }
  const mainConf = join(data, "postgresql.conf");
  const include = "include_if_exists = 'pg2convex.conf'";
  const current = execFileSync("cat", [mainConf], { encoding: "utf8" });
  if (!current.includes(include)) asPostgres("/bin/sh", ["-c", `echo "${include}" >> '${mainConf}'`]);
  // A port found free is only free until someone else binds it (other clusters, servers on port 0, other
  // processes on the machine): when the postmaster cannot bind the one we picked, pick another.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      startPostgres(bin, dir, data, port, opts.settings);
      return running(bin, dir, data, port, !opts.dir);
    } catch (e) {
      if (opts.port !== undefined || attempt >= 5 || !(e instanceof PortTaken)) throw e;
    }
  }
}

class PortTaken extends Error {}

function startPostgres(bin: string, dir: string, data: string, port: number, extra: Record<string, string | number> = {}): void {
  const settings: Record<string, string | number> = {
    listen_addresses: "'127.0.0.1'",
    port,
    unix_socket_directories: `'${dir}'`,
    wal_level: "logical",
    max_replication_slots: 32,
    max_wal_senders: 32,
    max_connections: 200,
    fsync: "off",
    full_page_writes: "off",
    wal_sender_timeout: "'60s'",
    logging_collector: "off",
    ...extra,
  };
  const conf = Object.entries(settings)
    .map(([k, v]) => `${k} = ${v}`)
    .join("\n");
  const confPath = join(data, "pg2convex.conf");
  writeFileSync(confPath, conf + "\n");
  if (isRoot()) execFileSync("chown", ["postgres:postgres", confPath]);
  const logFile = join(dir, "postgres.log");
  // pg_ctl appends to the log: only what this attempt wrote says why it failed.
  const from = existsSync(logFile) ? statSync(logFile).size : 0;
  try {
    asPostgres(join(bin, "pg_ctl"), ["-D", data, "-l", logFile, "-w", "-t", "60", "start"]);
  } catch (e) {
    const log = existsSync(logFile) ? readFileSync(logFile).subarray(from).toString("utf8").split("\n").slice(-30).join("\n") : "";
    const Failure = /could not bind IPv4 address[^\n]*Address already in use/.test(log) ? PortTaken : Error;
    throw new Failure(`PostgreSQL did not start in ${dir}: ${(e as Error).message}\n${log}`, { cause: e });
  }
}

function running(bin: string, dir: string, data: string, port: number, removeDir: boolean): PgCluster {
  let stopped = false;
  return {
    port,
    dir,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    restart: () => asPostgresAsync(join(bin, "pg_ctl"), ["-D", data, "-l", join(dir, "postgres.log"), "-m", "fast", "-w", "-t", "60", "restart"]),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        if (removeDir) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
