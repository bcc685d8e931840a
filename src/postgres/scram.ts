// SCRAM-SHA-256 password verifiers, computed on the client like psql's \password, so a role script can
// set a password without the plaintext ever appearing in the script, the server log or pg_stat_activity.
// Format (RFC 5803, as PostgreSQL stores it): SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/**
 * PostgreSQL SASLpreps passwords before hashing; for pure ASCII that is the identity, so we only hash
 * ASCII passwords ourselves. Returns null for anything else (the caller lets the server hash it).
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string | null {
  if (password.length === 0 || [...password].some((ch) => ch.charCodeAt(0) === 0 || ch.charCodeAt(0) > 0x7f)) return null;
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
