// What an operator is told about a failed Convex call: the messages of the Convex backend and of the local
// stand-in mapped to typed errors naming the deployment (without credentials), the table and the field.
import { describe, expect, it } from "vitest";
import { classifyConvexError, HttpStatusError, safeUrl } from "../../src/convex-client/errors";
import { locateMismatch } from "../../src/convex-client/schema-mismatch";
import type { Op } from "../../src/mirror-functions/wire/protocol";

const upsert = (t: string, d: Record<string, unknown>): Op => ({ o: "upsert", t, k: [d.id], ver: 1n, d }) as Op;
const ops: Op[] = [upsert("course", { id: 7, name: "c" }), upsert("language", { id: 1, name: "en", speaker: 7 }), upsert("language", { id: 7, name: "de", speaker: null })];

describe("Convex validator errors → CONVEX_SCHEMA_MISMATCH", () => {
  it("takes table and field from the backend's schema message", () => {
    const message = 'Uncaught Error: Failed to insert or update a document in table "language" because it does not match the schema: Value does not match validator.\nPath: .speaker\nValue: 7.0\nValidator: v.union(v.string(), v.null())';
    const e = classifyConvexError(new Error(message), { function: "mirror:applyBatch", ops });
    expect(e).toMatchObject({ code: "CONVEX_SCHEMA_MISMATCH", retryable: false, context: { table: "language", column: "speaker", function: "mirror:applyBatch" } });
    expect(e.message).toBe('the deployed Convex functions refused a value for table "language", field "speaker": they do not match the current table definitions (Value does not match validator.; value 7.0; validator v.union(v.string(), v.null()))');
    expect(e.fix).toMatch(/npx convex deploy.*pg2convex local-convex.*--convex-dir/);
  });

  it("reads missing and extra fields, and argument paths through the batch's ops", () => {
    expect(locateMismatch('Failed to insert or update a document in table "story" because it does not match the schema: Object is missing the required field `todo_count`. Consider wrapping…', ops)).toEqual({ table: "story", field: "todo_count" });
    expect(locateMismatch("ArgumentValidationError: Value does not match validator.\nPath: .ops[1].d.speaker\nValue: 7", ops)).toEqual({ table: "language", field: "speaker" });
    // Part of the op itself: the wire protocol changed, not a column.
    expect(locateMismatch("ArgumentValidationError: Object contains extra field `partial` that is not in the validator.\nPath: .ops[2]", ops)).toEqual({ table: "language" });
  });

  it("derives table and field from the ops when the message names neither", () => {
    // Only course rows lack `speaker`, only language rows carry it.
    expect(locateMismatch("Validator error: Missing required field `speaker` in object", ops)).toEqual({ table: "course", field: "speaker" });
    expect(locateMismatch("Validator error: Unexpected field `speaker` in object", ops)).toEqual({ table: "language", field: "speaker" });
    const languageOnly = ops.slice(1);
    expect(locateMismatch('Validator error: Expected one of string, null, got `"en"`', languageOnly)).toEqual({ table: "language", field: "name" });
    // Ambiguous (7 is language.id and language.speaker): the table, but no guess at the field.
    expect(locateMismatch("Validator error: Expected `string`, got `7`", languageOnly)).toEqual({ table: "language" });
  });
});

describe("Convex transport failures", () => {
  it("names an unreachable deployment without its credentials, as retryable", () => {
    const e = classifyConvexError(Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }), {
      url: "https://user:pw@happy-otter-123.convex.cloud/?token=abc",
    });
    expect(e).toMatchObject({ code: "CONVEX_UNREACHABLE", retryable: true, context: { url: "https://happy-otter-123.convex.cloud" } });
    expect(e.message).toBe("cannot reach Convex at https://happy-otter-123.convex.cloud: fetch failed (ECONNREFUSED)");
    expect(JSON.stringify(e.toJSON())).not.toMatch(/pw|token=abc/);
  });

  it("tells a server that is not Convex apart from a missing function", () => {
    const html = classifyConvexError(new SyntaxError("Unexpected token '<', \"<!doctype \"... is not valid JSON"), { url: "http://example.test" });
    expect(html.code).toBe("CONVEX_NOT_A_DEPLOYMENT");
    expect(classifyConvexError(new HttpStatusError(404, "<html>", "/api/query"), { url: "http://example.test" }).message).toBe("http://example.test is not a Convex deployment: it answered HTTP 404 for /api/query");
    const missing = classifyConvexError(new Error("[Request ID: 1] Server Error\nCould not find public function for 'mirrorx:getState'. Did you forget to run `npx convex dev`?"), {});
    expect(missing).toMatchObject({ code: "CONVEX_FUNCTIONS_MISSING", retryable: false });
    expect(missing.message).toMatch(/mirrorx:getState/);
  });

  it("shows a URL with neither credentials nor query", () => {
    expect(safeUrl("http://a:b@127.0.0.1:3210/?x=1#y")).toBe("http://127.0.0.1:3210");
    expect(safeUrl("not a url")).toBe("(invalid URL)");
  });
});
