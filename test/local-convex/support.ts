// Shared setup for the local Convex stand-in tests: the fixture app, a fresh server per call, and
// clients that reach it only the way production code does (the real ConvexHttpClient).
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { startLocalConvex, type LocalConvex } from "../../src/local-convex";
import { setAdminAuth } from "../../src/local-convex/testing";

export const FIXTURE_CONVEX_DIR = fileURLToPath(new URL("../fixtures/local-convex-app/convex", import.meta.url));
export const ADMIN_KEY = "fixture-deployment|0123456789abcdef";

export interface Fixture {
  server: LocalConvex;
  /** No Authorization header: public functions only. */
  anon: ConvexHttpClient;
  admin: ConvexHttpClient;
  client(adminKey?: string): ConvexHttpClient;
}

export async function startFixture(): Promise<Fixture> {
  const server = await startLocalConvex({ convexDir: FIXTURE_CONVEX_DIR, adminKey: ADMIN_KEY });
  const client = (adminKey?: string) => {
    const c = new ConvexHttpClient(server.url, { logger: false });
    if (adminKey !== undefined) setAdminAuth(c, adminKey);
    return c;
  };
  return { server, anon: client(), admin: client(ADMIN_KEY), client };
}

export const fn = {
  hello: makeFunctionReference<"query", { name: string }, string>("app:hello"),
  echo: makeFunctionReference<"query", { value: unknown }, unknown>("app:echo"),
  getCounter: makeFunctionReference<"query", { name: string }, number>("app:getCounter"),
  bump: makeFunctionReference<"mutation", { name: string }, number>("app:bump"),
  internalAdd: makeFunctionReference<"mutation", { name: string; by: number }, string>("app:internalAdd"),
  internalSecret: makeFunctionReference<"query", Record<string, never>, string>("app:internalSecret"),
  addViaAction: makeFunctionReference<"action", { name: string; by: number }, string>("app:addViaAction"),
  failWithData: makeFunctionReference<"mutation", Record<string, never>, never>("app:failWithData"),
  failPlain: makeFunctionReference<"mutation", { name: string }, never>("app:failPlain"),
  writeMany: makeFunctionReference<"mutation", { batch: string; n: number }, number>("app:writeMany"),
  countBatch: makeFunctionReference<"query", { batch: string }, number>("app:countBatch"),
  measure: makeFunctionReference<"mutation", { parts: string[] }, number>("app:measure"),
  whoami: makeFunctionReference<"query", Record<string, never>, string | null>("app:whoami"),
  double: makeFunctionReference<"query", { x: number }, number>("lib/math:double"),
};

/** Raw POST for the endpoints ConvexHttpClient only reaches through @internal methods. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
