import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createLogger, scrubSecrets } from "../../src/log";

describe("secrets never reach logs", () => {
  it("redacts known fields and scrubs URL passwords and configured secrets from any field or message", async () => {
    let out = "";
    const destination = new Writable({ write: (chunk, _enc, cb) => ((out += chunk), cb()) });
    const key = "prod:deployment|0123456789abcdef";
    const log = createLogger({ level: "info", pretty: false, secrets: [key, "s3cr3t-pw"], destination });
    log.info({ databaseUrl: "postgres://app:s3cr3t-pw@db/app", nested: { detail: `failed with key ${key}` } }, "connecting to postgres://app:s3cr3t-pw@db/app");
    log.error({ err: { message: `Authorization: Convex ${key}` } }, "oops");
    await new Promise((r) => setTimeout(r, 20));
    expect(out).not.toContain("s3cr3t-pw");
    expect(out).not.toContain(key);
    expect(out).toContain("postgres://app:***@db/app");
    expect(out.split("\n").filter(Boolean)).toHaveLength(2);
  });

  it("scrubs an unconfigured admin key after `Convex ` but leaves prose about Convex readable", () => {
    expect(scrubSecrets("Authorization: Convex prod:happy-otter-123|eyJ2MiI6ImFiYyJ9")).toBe("Authorization: Convex ***");
    expect(scrubSecrets("Authorization: Convex local-convex|00ff")).toBe("Authorization: Convex ***");
    expect(scrubSecrets("Authorization: Convex 0123456789abcdef0123456789abcdef")).toBe("Authorization: Convex ***");
    expect(scrubSecrets("http://h:1 is not a Convex deployment: see the Convex dashboard")).toBe("http://h:1 is not a Convex deployment: see the Convex dashboard");
  });

  it("scrubs a password-bearing URL even when the secret was not configured", () => {
    expect(scrubSecrets("postgresql://u:hunter2@h:5432/d?x=1")).toBe("postgresql://u:***@h:5432/d?x=1");
  });
});
