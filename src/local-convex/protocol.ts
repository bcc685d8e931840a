// The wire format of the Convex HTTP API subset that `ConvexHttpClient` (convex/browser) speaks.
// Shapes follow convex-backend's `public_api.rs`: a function outcome is always a JSON body with
// `status: "success" | "error"`; a request the server refuses (bad body, bad key) is a plain
// `{code, message}` body with a 4xx status, which the client surfaces as `new Error(bodyText)`.
import { convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import { z } from "zod";

/** Custom status the backend uses for "the function ran and failed" (client: STATUS_CODE_UDF_FAILED). */
export const STATUS_UDF_FAILED = 560;

const MiB = 1024 * 1024;
/** Convex's FUNCTION_MAX_ARGS_SIZE, measured like the backend: Convex value size of the args. */
export const MAX_ARGS_BYTES = 16 * MiB;
/** HTTP body cap: JSON text of 16 MiB of arguments is larger than 16 MiB (escapes, `$integer` base64). */
export const MAX_BODY_BYTES = 40 * MiB;

export type UdfKind = "query" | "mutation" | "action";

/** A request the server refuses before running anything; rendered as `{code, message}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const udfBody = z.object({
  path: z.string().min(1),
  args: z.unknown(),
  format: z.string().optional(),
  componentPath: z.string().nullish(),
  ts: z.string().optional(),
});
export type UdfBody = z.infer<typeof udfBody>;

export function parseUdfBody(text: string): UdfBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, "BadJsonBody", `Failed to parse the JSON body: ${(e as Error).message}`);
  }
  const parsed = udfBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, "BadJsonBody", `Invalid request body at \`${issue?.path.join(".") || "(root)"}\`: ${issue?.message}`);
  }
  // The backend also speaks clean "json"; ConvexHttpClient always sends convex_encoded_json.
  if (parsed.data.format !== undefined && parsed.data.format !== "convex_encoded_json") {
    throw new HttpError(400, "BadFormat", `Unsupported value format "${parsed.data.format}": the local Convex stand-in only speaks "convex_encoded_json".`);
  }
  return parsed.data;
}

/**
 * Decodes the arguments object. Like the backend's UdfArgsJson, accepts the legacy positional form
 * (`[{...}]`, what the client sends to /api/query|mutation|action) and a bare object (/api/function).
 * Throws a plain Error whose message becomes the function failure "Invalid arguments for …".
 */
export function decodeArgs(raw: unknown): Record<string, Value> {
  const positional = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (positional.length > 1) throw new Error(`expected one arguments object, got ${positional.length} positional arguments`);
  const value = positional.length === 0 ? {} : jsonToConvex(positional[0] as JSONValue);
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof ArrayBuffer) {
    throw new Error("the arguments must be an object");
  }
  return value as Record<string, Value>;
}

export function successBody(value: Value | undefined): Record<string, unknown> {
  return { status: "success", value: convexToJson(value === undefined ? null : value) };
}

/** `errorData` is present exactly when the function threw a ConvexError (client rebuilds `.data`). */
export function failureBody(requestId: string, message: string, data?: Value): Record<string, unknown> {
  const body: Record<string, unknown> = { status: "error", errorMessage: `[Request ID: ${requestId}] Server Error\n${message}` };
  if (data !== undefined) body.errorData = convexToJson(data);
  return body;
}

/** Timestamps travel as base64 of the little-endian u64, like the backend's SerializedTs. */
export function encodeTs(ts: bigint): string {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(ts);
  return buf.toString("base64");
}

export function decodeTs(text: string): bigint {
  const buf = Buffer.from(text, "base64");
  if (buf.length !== 8) throw new HttpError(400, "BadTimestamp", "Wrong number of bytes for SerializedTs.");
  return buf.readBigUInt64LE();
}

/** Size as the backend prints it (humansize BINARY): "16 MiB", "16.50 MiB". */
export function formatBinarySize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let n = bytes;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${Number.isInteger(n) ? n : n.toFixed(2)} ${units[unit]}`;
}
