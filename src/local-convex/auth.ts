// Who is calling. Mirrors the backend's ExtractAuthenticationToken + authenticate:
//   no header            → anonymous (public functions only)
//   `Convex <key>`       → admin, may call internal functions; the key must match exactly
//   `Convex <key>:<b64>` → admin acting as the base64-JSON user identity (ConvexHttpClient.setAdminAuth)
//   `Bearer <jwt>`       → refused: the stand-in has no auth providers to verify user tokens against
// Invariant: the admin key is compared in constant time and never echoed into a response or a log.
import { createHash, timingSafeEqual } from "node:crypto";
import type { UserIdentity } from "convex/server";
import { HttpError } from "./protocol";

export type Caller = { admin: false } | { admin: true; actingAs?: Partial<UserIdentity> };

const BAD_ADMIN_KEY = "The provided admin key was invalid for this instance";

export function authenticate(header: string | undefined, adminKey: string): Caller {
  if (header === undefined || header.trim() === "") return { admin: false };
  const match = /^(\S+)\s+(.*)$/s.exec(header.trim());
  const scheme = match?.[1]?.toLowerCase();
  const token = match?.[2]?.trim() ?? "";
  if (scheme === "convex") return adminCaller(token, adminKey);
  if (scheme === "bearer") {
    throw new HttpError(401, "NoAuthProvider", "No auth provider found matching the given token (the local Convex stand-in accepts only its admin key).");
  }
  throw new HttpError(401, "AuthHeaderMalformed", "The Authorization header must be `Convex <admin key>` or `Bearer <token>`.");
}

function adminCaller(token: string, adminKey: string): Caller {
  if (sameSecret(token, adminKey)) return { admin: true };
  // setAdminAuth(key, identity) appends `:<base64 JSON>`; split on the key, not on the first colon,
  // so keys that themselves contain colons still work.
  const prefix = token.slice(0, adminKey.length);
  if (token.length > adminKey.length && token[adminKey.length] === ":" && sameSecret(prefix, adminKey)) {
    return { admin: true, actingAs: decodeIdentity(token.slice(adminKey.length + 1)) };
  }
  throw new HttpError(401, "BadAdminKey", BAD_ADMIN_KEY);
}

function decodeIdentity(encoded: string): Partial<UserIdentity> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Partial<UserIdentity>;
  } catch {
    // fall through to the error below
  }
  throw new HttpError(401, "BadAdminKey", `${BAD_ADMIN_KEY}: the acting-as identity is not base64-encoded JSON`);
}

/** Constant-time equality; hashing first makes the comparison independent of the lengths too. */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}
