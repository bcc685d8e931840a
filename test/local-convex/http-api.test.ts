// The local Convex stand-in driven through the real ConvexHttpClient: visibility, auth, error shapes,
// value encoding and the less common endpoints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvexError, type Value } from "convex/values";
import { makeFunctionReference } from "convex/server";
import { ADMIN_KEY, fn, post, startFixture, type Fixture } from "./support";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f.server.close();
});

describe("visibility and admin key", () => {
  it("runs public functions without a key, including nested modules", async () => {
    expect(await f.anon.query(fn.hello, { name: "ada" })).toBe("hello ada");
    expect(await f.anon.query(fn.double, { x: 21 })).toBe(42);
  });

  it("hides internal functions from callers without the admin key, with the backend's not-found message", async () => {
    await expect(f.anon.query(fn.internalSecret, {})).rejects.toThrow("Could not find public function for 'app:internalSecret'. Did you forget to run `npx convex dev` or `npx convex deploy`?");
    await expect(f.anon.mutation(fn.internalAdd, { name: "x", by: 1 })).rejects.toThrow(/Could not find public function for 'app:internalAdd'/);
    // Same message as a function that does not exist at all: internal names are not disclosed.
    await expect(f.anon.query(makeFunctionReference<"query">("app:noSuchThing"), {})).rejects.toThrow(/Could not find public function for 'app:noSuchThing'/);
  });

  it("refuses a wrong admin key with 401 BadAdminKey, even for public functions", async () => {
    const wrong = f.client("not-the-key");
    await expect(wrong.query(fn.internalSecret, {})).rejects.toThrow(/"code":"BadAdminKey"/);
    await expect(wrong.query(fn.hello, { name: "x" })).rejects.toThrow(/The provided admin key was invalid for this instance/);
    const raw = await post(`${f.server.url}/api/query`, { path: "app:hello", format: "convex_encoded_json", args: [{ name: "x" }] }, { Authorization: `Convex ${ADMIN_KEY}x` });
    expect(raw).toEqual({ status: 401, json: { code: "BadAdminKey", message: "The provided admin key was invalid for this instance" } });
  });

  it("runs internal functions for the right admin key", async () => {
    expect(await f.admin.query(fn.internalSecret, {})).toBe("secret");
    expect(await f.admin.mutation(fn.internalAdd, { name: "internal", by: 7 })).toBe("added");
    expect(await f.anon.query(fn.getCounter, { name: "internal" })).toBe(7);
  });

  it("lets an admin act as a user identity", async () => {
    const acting = f.client();
    (acting as unknown as { setAdminAuth(k: string, id: object): void }).setAdminAuth(ADMIN_KEY, { subject: "user-42", issuer: "https://issuer.test" });
    expect(await acting.query(fn.whoami, {})).toBe("user-42");
    expect(await f.admin.query(fn.whoami, {})).toBeNull();
  });

  it("refuses user JWTs: the stand-in has no auth providers", async () => {
    const user = f.client();
    user.setAuth("header.payload.signature");
    await expect(user.query(fn.hello, { name: "x" })).rejects.toThrow(/"code":"NoAuthProvider"/);
  });
});

describe("function outcomes", () => {
  it("round-trips ConvexError data (int64 included) and surfaces the 560 error shape", async () => {
    const err = await f.anon.mutation(fn.failWithData, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvexError);
    expect((err as ConvexError<Value>).data).toEqual({ code: "NOPE", count: 3n, detail: "data survives" });
    const raw = await post(`${f.server.url}/api/mutation`, { path: "app:failWithData", format: "convex_encoded_json", args: [{}] });
    expect(raw.status).toBe(560);
    expect(raw.json.status).toBe("error");
    expect(raw.json.errorMessage).toMatch(/^\[Request ID: [0-9a-f]{16}\] Server Error\nUncaught ConvexError: /);
    expect(raw.json.errorData).toEqual({ code: "NOPE", count: { $integer: "AwAAAAAAAAA=" }, detail: "data survives" });
  });

  it("surfaces a plain Error with its message, without errorData, and rolls back its writes", async () => {
    const err = await f.anon.mutation(fn.failPlain, { name: "rolled-back" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ConvexError);
    expect((err as Error).message).toMatch(/Server Error\nUncaught Error: plain failure$/);
    expect(await f.anon.query(fn.getCounter, { name: "rolled-back" })).toBe(0);
    const raw = await post(`${f.server.url}/api/mutation`, { path: "app:failPlain", format: "convex_encoded_json", args: [{ name: "r" }] });
    expect(raw.status).toBe(560);
    expect(raw.json).not.toHaveProperty("errorData");
  });

  it("names both kinds when a function is called through the wrong endpoint", async () => {
    await expect(f.anon.query(makeFunctionReference<"query">("app:bump"), { name: "x" })).rejects.toThrow("Trying to execute app.js:bump as Query, but it is defined as Mutation.");
  });

  it("reports argument validation failures as function errors", async () => {
    await expect(f.anon.query(makeFunctionReference<"query">("app:hello"), { name: 3 })).rejects.toThrow(/Validator error/);
  });

  it("round-trips convex_encoded_json values: int64, bytes, nesting", async () => {
    const value = { big: 2n ** 62n + 1n, neg: -5n, bytes: new Uint8Array([0, 1, 254, 255]).buffer, list: [1.5, "s", null, true, { deep: [2n] }] };
    const back = (await f.anon.query(fn.echo, { value })) as typeof value;
    expect(back.big).toBe(2n ** 62n + 1n);
    expect(back.neg).toBe(-5n);
    expect([...new Uint8Array(back.bytes)]).toEqual([0, 1, 254, 255]);
    expect(back.list).toEqual([1.5, "s", null, true, { deep: [2n] }]);
  });

  it("runs actions, which reach internal mutations through ctx.runMutation", async () => {
    expect(await f.anon.action(fn.addViaAction, { name: "via-action", by: 5 })).toBe("added");
    expect(await f.anon.query(fn.getCounter, { name: "via-action" })).toBe(5);
  });
});

describe("other endpoints and refusals", () => {
  it("serves /api/function (args as a bare object) with the same visibility rules", async () => {
    const body = (path: string, args: object) => ({ path, format: "convex_encoded_json", args });
    expect(await post(`${f.server.url}/api/function`, body("app:hello", { name: "fn" }))).toEqual({ status: 200, json: { status: "success", value: "hello fn" } });
    const hidden = await post(`${f.server.url}/api/function`, body("app:internalSecret", {}));
    expect(hidden.status).toBe(560);
    expect(hidden.json.errorMessage).toMatch(/Could not find public function for 'app:internalSecret'/);
    const asAdmin = await post(`${f.server.url}/api/function`, body("app:internalSecret", {}), { Authorization: `Convex ${ADMIN_KEY}` });
    expect(asAdmin.json).toEqual({ status: "success", value: "secret" });
  });

  it("supports consistentQuery while nothing changed, and refuses it clearly once data changed", async () => {
    const reader = f.client();
    expect(await reader.consistentQuery(fn.hello, { name: "a" })).toBe("hello a");
    expect(await reader.consistentQuery(fn.hello, { name: "b" })).toBe("hello b");
    await f.anon.mutation(fn.bump, { name: "ts" });
    await expect(reader.consistentQuery(fn.hello, { name: "c" })).rejects.toThrow(/"code":"QueryTimestampUnavailable"/);
  });

  it("answers malformed requests with 4xx {code, message}", async () => {
    expect((await post(`${f.server.url}/api/query`, "{not json")).json.code).toBe("BadJsonBody");
    expect((await post(`${f.server.url}/api/query`, { args: [{}] })).status).toBe(400);
    expect((await post(`${f.server.url}/api/query`, { path: "app:hello", format: "json", args: [{ name: "x" }] })).json.code).toBe("BadFormat");
    expect((await post(`${f.server.url}/api/nowhere`, {})).status).toBe(404);
    const get = await fetch(`${f.server.url}/api/query`);
    expect(get.status).toBe(405);
  });

  it("treats undecodable arguments as a function failure, like the backend", async () => {
    const raw = await post(`${f.server.url}/api/query`, { path: "app:hello", format: "convex_encoded_json", args: [{ name: { $integer: "!!" } }] });
    expect(raw.status).toBe(560);
    expect(raw.json.errorMessage).toMatch(/Invalid arguments for app:hello/);
  });
});
