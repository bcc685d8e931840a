// Issue 10, item 7: the dashboard in a real headless browser (Debian's chromium via playwright-core) against
// the real stack: PostgreSQL + wal2json, the real `pg2convex run` process (whose port serves the page) and
// the Convex stand-in over HTTP. One table is cut over to 30% after a clean parity run and then gets a dead
// letter (tolerated: --max-dead-letters 5, so the flag stays); the page must show phase, flag, dead letters,
// the parity timeline and the events, carry neither the admin key nor the database password, and show the
// new state after a rollback (whose reason is HTML: it must be shown as text). Screenshots are kept in
// test-artifacts/ (dashboard.png, dashboard-after-rollback.png).
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorEnv, type MirrorEnv } from "../support/mirror-env";
import { spawnBridge, type Bridge } from "../support/fault-bridge";
import { waitUntil } from "../support/wait";
import type { DashboardData } from "../../src/control/dashboard";

const BIN = fileURLToPath(new URL("../../bin/pg2convex.mjs", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
const PASSWORD = "Dash-pw-7Qx2-never-shown";
const EVIL_REASON = `<b id="injected">evil</b> & 'quoted'`;

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", CI: "1", ...env }, timeout: 90_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });
}

/** The secret itself and every 10-character piece of it: none may appear, not even partially. */
function pieces(secret: string): string[] {
  const out = [secret];
  for (let i = 0; i + 10 <= secret.length; i++) out.push(secret.slice(i, i + 10));
  return out;
}

describe("dashboard in a headless browser", () => {
  let env: MirrorEnv;
  let bridge: Bridge;
  let browser: Browser;
  let page: Page;
  let vars: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    env = await createMirrorEnv({ seed: { languages: 2, courses: 3, stories: 20, users: 4 } });
    vars = { DATABASE_URL: env.db.url, CONVEX_URL: env.convex.url, CONVEX_ADMIN_KEY: env.convex.adminKey, PG2CONVEX_SLOT: env.config.slot };
    // The cluster trusts loopback, so any password works: the sidecar holds one to prove it never shows it.
    const withPassword = new URL(env.db.url);
    withPassword.password = PASSWORD;
    bridge = spawnBridge(env, { databaseUrl: withPassword.toString() }, ["--control-every", "300ms", "--stale-after", "10s", "--max-dead-letters", "5"]);
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    bridge?.child.kill("SIGKILL");
    await env?.close();
  });

  const json = async () => (await (await fetch(`${base}/dashboard.json`)).json()) as DashboardData;
  const story = (d: DashboardData) => d.tables.find((t) => t.table === "story")!;
  const section = () => page.locator('section.table[data-table="story"]');

  it("shows phase, flag, dead letters, parity timeline and events, with no secret; a reload shows a rollback", async () => {
    await waitUntil("the health endpoint", () => /health and metrics endpoint up/.test(bridge.stdout()));
    base = bridge.healthUrl();
    await env.waitConverged();

    // A clean parity run, a 30% cut-over (the gate shortened as for a rehearsal), then a dead letter.
    const parity = await cli(["parity", "--tables", "story", "--mode", "sample", "--recheck-delay", "100ms", "--max-wait", "10s"], vars);
    expect(parity.code, parity.out + parity.err).toBe(0);
    await waitUntil("the sidecar's heartbeat in Convex", async () => (await json()).heartbeat !== null);
    const cut = await cli(["cutover", "--table", "story", "--percent", "30", "--gate-days", "0"], vars);
    expect(cut.code, cut.out + cut.err).toBe(0);
    await env.db.client.query(
      `INSERT INTO story (id, name, set_id, set_index, text, course_id, public, deleted)
       VALUES (900400, 'huge', 1, 1, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 36000) g), (SELECT min(id) FROM course), true, false)`,
    );
    const before = await waitUntil("the dead letter on the dashboard", async () => {
      const t = story(await json());
      return t.deadLetters.count === 1 && t.deadLetters.recent.length === 1 ? t : undefined;
    });
    expect(before).toMatchObject({ phase: "canary", percent: 30 });

    await page.goto(`${base}/dashboard`);
    const s = section();
    await expect.poll(() => s.count()).toBe(1);
    expect(await s.locator('[data-field="phase"]').innerText()).toBe("canary");
    expect(await s.locator('[data-field="percent"]').innerText()).toBe("flag 30%");
    expect(await s.locator(".serving-convex").innerText()).toBe("reads: Convex for 30% of callers");
    expect(await s.locator('[data-field="lag"]').innerText()).toMatch(/^lag \d+ s \(limit 30 s\)$/);
    expect(await s.locator('[data-field="dead-letters"]').innerText()).toBe("1");
    const dead = await s.locator("table.dl tr").allInnerTexts();
    expect(dead).toHaveLength(2);
    expect(dead[1]).toMatch(/900400\s+DOCUMENT_TOO_LARGE\s+row is \d+ bytes as a stored document/);
    // The timeline: one clean sample run marked on the bar and listed, the streak counted against 7 days.
    expect(await s.locator(".timeline .mark.clean").count()).toBe(1);
    expect(await s.locator(".timeline .streak").count()).toBe(1);
    expect(await s.locator("ol.runs li").allInnerTexts()).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]+Z sample clean$/)]);
    expect(await s.locator(".gate-state").innerText()).toMatch(/^parity green for \d+ (s|min) of the 7 d gate \(met at .+ if it holds\)$/);
    expect(await s.locator("ul.checklist li").count()).toBe(7);
    expect(await s.locator('ul.checklist li[data-item="backfillComplete"]').count()).toBe(1);
    const events = await s.locator("ol.events li").allInnerTexts();
    expect(events[0]).toMatch(/cutover by .+: reads 0% → 30% from Convex/);
    expect(await page.locator('table.overview tr[data-table="story"]').innerText()).toMatch(/^story\s+canary\s+30%\s+Convex\s+1\s+green \d+ (s|min)$/);
    expect(await page.locator('[data-field="health"]').innerText()).toMatch(/^(ok|degraded)$/);
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    // No secret on the page or in the JSON: not the admin key, not the database password, not a piece of either.
    const html = await page.content();
    const raw = await (await fetch(`${base}/dashboard`)).text();
    const body = await (await fetch(`${base}/dashboard.json`)).text();
    const adminSecret = env.convex.adminKey.split("|").pop()!;
    for (const text of [html, raw, body]) for (const p of [...pieces(env.convex.adminKey), ...pieces(adminSecret), ...pieces(PASSWORD)]) expect(text.includes(p), p).toBe(false);
    expect(raw).not.toMatch(/postgres(ql)?:\/\//);

    // A change in Convex shows on reload: rolled back with a reason that is HTML, shown as text.
    const back = await cli(["rollback", "--table", "story", "--reason", EVIL_REASON], { ...vars, PG2CONVEX_ACTOR: "ops-<i>x</i>" });
    expect(back.code, back.out + back.err).toBe(0);
    await page.reload();
    expect(await s.locator('[data-field="phase"]').innerText()).toBe("mirror");
    expect(await s.locator('[data-field="percent"]').innerText()).toBe("flag 0%");
    expect(await s.locator(".serving-postgres").innerText()).toBe("reads: PostgreSQL");
    expect(await page.locator('table.overview tr[data-table="story"]').innerText()).toMatch(/^story\s+mirror\s+0%\s+PostgreSQL\s+1\s+green/);
    const latest = s.locator("ol.events li").first();
    expect(await latest.locator(".kind").innerText()).toBe("rollback");
    expect(await latest.innerText()).toContain(`by ops-<i>x</i>: reads 30% → 0% from Convex: ${EVIL_REASON}`);
    expect(await page.locator("#injected").count()).toBe(0);
    expect(await s.locator("ol.events i").count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-after-rollback.png`, fullPage: true });
  });
});
