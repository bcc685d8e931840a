#!/usr/bin/env node
// First-command bootstrap for `npm test`, `npm run demo` and `npm run bench` on a fresh clone.
// `--npm-only` (for `npm run test:unit`, whose tests start no PostgreSQL) stops after the npm dependencies.
// `--browser` (for `npm test`: the dashboard's browser test) also needs Debian's chromium at /usr/bin/chromium.
// Uses only Node built-ins: it runs before dependencies exist. It either makes the machine ready
// (npm dependencies, the wal2json package when we are root with apt) or stops with ONE message that
// names what is missing and the exact command that installs it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function fail(what, command) {
  console.error(`\npg2convex bootstrap: ${what}\n  Install it with:\n    ${command}\n`);
  process.exit(1);
}

function npmDependencies() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (!stale) return;
  console.error("pg2convex bootstrap: installing npm dependencies (npm ci)…");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) fail("npm dependencies could not be installed (see npm's output above).", "npm ci");
}

function postgresBinDir() {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    fail("PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql.", "apt-get install -y postgresql-15 postgresql-15-wal2json");
  }
  return { version: versions[0], dir: join(base, versions[0]) };
}

function wal2json({ version, dir }) {
  const so = join(dir, "lib", "wal2json.so");
  if (existsSync(so)) return;
  const pkg = `postgresql-${version}-wal2json`;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
  if (isRoot && hasApt && process.env.PG2CONVEX_NO_APT !== "1") {
    console.error(`pg2convex bootstrap: installing ${pkg} (wal2json output plugin)…`);
    try {
      execFileSync("sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: "inherit" });
    } catch {
      fail(`the wal2json plugin (${so}) is missing and apt-get could not install it.`, `sudo apt-get update && sudo apt-get install -y ${pkg}`);
    }
    if (existsSync(so)) return;
  }
  fail(`the wal2json plugin (${so}) is missing.`, `sudo apt-get update && sudo apt-get install -y ${pkg}`);
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = () => spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;

// The dashboard's browser test drives Debian's chromium through playwright-core (a devDependency, so npm
// ci brought it); playwright's own browser downloads are never used.
function chromium() {
  const bin = "/usr/bin/chromium";
  if (existsSync(bin)) return;
  const why = `${bin} is missing: the dashboard's browser test (test/e2e/dashboard.test.ts) runs it headless.`;
  if (!isRoot() || !hasApt() || process.env.PG2CONVEX_NO_APT === "1") {
    const reason = !hasApt() ? "there is no apt-get here" : !isRoot() ? "not running as root" : "PG2CONVEX_NO_APT=1";
    fail(`${why} It was not installed (${reason}).`, "sudo apt-get update && sudo apt-get install -y chromium");
  }
  console.error("pg2convex bootstrap: installing chromium (for the dashboard's browser test)…");
  try {
    execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium"], { stdio: "inherit" });
  } catch {
    fail(`${why} apt-get could not install it (see its output above).`, "sudo apt-get update && sudo apt-get install -y chromium");
  }
  if (!existsSync(bin)) fail(`${why} apt-get installed the chromium package but ${bin} is still missing.`, "sudo apt-get install --reinstall -y chromium");
}

function postgresUser() {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) return;
  // PostgreSQL refuses to run as root; clusters are started as the `postgres` OS user.
  if (spawnSync("id", ["-u", "postgres"], { stdio: "ignore" }).status !== 0) {
    fail("running as root, but there is no `postgres` OS user to start PostgreSQL clusters as.", "useradd --system --home /var/lib/postgresql --shell /bin/bash postgres");
  }
}

npmDependencies();
if (process.argv.includes("--npm-only")) process.exit(0);
const pg = postgresBinDir();
wal2json(pg);
postgresUser();
if (process.argv.includes("--browser")) chromium();
