// Alert delivery to real HTTP receivers: one "firing" per (kind, table) while it lasts, one recovery notice when
// it clears, events never de-duplicated, the Slack-compatible body, a dead webhook never throwing, and no
// webhook URL (Slack's carry a token) in the logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { Writable } from "node:stream";
import pino from "pino";
import { createAlertSink } from "../../src/control/alerts";
import { closedPort } from "../support/closed-port";

interface Receiver {
  server: Server;
  url: string;
  bodies: Array<Record<string, unknown>>;
}

async function receiver(path: string): Promise<Receiver> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => (bodies.push(JSON.parse(body) as Record<string, unknown>), res.end("ok")));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, bodies, url: `http://127.0.0.1:${(server.address() as { port: number }).port}${path}` };
}

describe("alert webhooks", () => {
  let generic: Receiver;
  let slack: Receiver;
  beforeAll(async () => {
    generic = await receiver("/hook");
    slack = await receiver("/services/T000/B000/secret-token-xyz");
  });
  afterAll(async () => {
    for (const r of [generic, slack]) await new Promise((done) => r?.server.close(done));
  });

  it("de-duplicates while firing, sends one recovery notice, never de-duplicates events, keeps URLs out of logs", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    const dead = `http://127.0.0.1:${await closedPort()}/dead-token-abc`;
    const alerts = createAlertSink({ webhookUrls: [generic.url, dead], slackWebhookUrls: [slack.url], logger, timeoutMs: 2000 });
    expect(alerts.configured).toBe(true);

    for (let i = 0; i < 3; i++) await alerts.fire({ kind: "lag", table: "story", message: `lag ${40 + i} s` });
    await alerts.fire({ kind: "lag", table: "course", message: "lag 50 s" });
    expect(generic.bodies.map((b) => [b.state, b.kind, b.table, b.message])).toEqual([
      ["firing", "lag", "story", "lag 40 s"],
      ["firing", "lag", "course", "lag 50 s"],
    ]);
    expect(generic.bodies[0]).toMatchObject({ source: "pg2convex", at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(slack.bodies.map((b) => b.text)).toEqual([":rotating_light: pg2convex lag (story): lag 40 s", ":rotating_light: pg2convex lag (course): lag 50 s"]);

    // course still lags, story recovered: one notice for story only, and only once.
    await alerts.resolveExcept("lag", new Set(["course"]));
    await alerts.resolveExcept("lag", new Set(["course"]));
    expect(generic.bodies.slice(2).map((b) => [b.state, b.table])).toEqual([["resolved", "story"]]);
    expect(slack.bodies.at(-1)!.text).toBe(":white_check_mark: pg2convex lag (story): recovered");
    // Firing again after recovery is a new state change.
    await alerts.fire({ kind: "lag", table: "story", message: "lag 90 s" });
    expect(generic.bodies.at(-1)).toMatchObject({ state: "firing", table: "story", message: "lag 90 s" });

    const before = generic.bodies.length;
    await alerts.event({ kind: "auto-rollback", table: "story", message: "reads of story moved back" });
    await alerts.event({ kind: "auto-rollback", table: "story", message: "reads of story moved back" });
    expect(generic.bodies.length).toBe(before + 2);

    // The dead webhook was logged as undeliverable, by kind, never by URL.
    const log = lines.join("");
    expect(log).toMatch(/alert webhook could not be delivered/);
    expect(log).not.toContain("dead-token-abc");
    expect(log).not.toContain("secret-token-xyz");
    // One log line per state change: three checks of the same lag logged one "alert" line.
    expect(lines.filter((l) => l.includes('"alert":"lag"') && l.includes('"table":"story"') && l.includes('"msg":"alert"'))).toHaveLength(2);
  });
});
