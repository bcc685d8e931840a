// Test helper: a fresh in-memory local Convex (see ./index.ts) plus an admin ConvexHttpClient for it.
// Each call is an independent deployment with empty tables; call close() when done.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import type { Logger } from "../log";
import { startLocalConvex } from "./index";

/** The project's own convex/ folder, resolved from this file (not the working directory). */
export const PROJECT_CONVEX_DIR = fileURLToPath(new URL("../../convex", import.meta.url));

export interface LocalConvexHandle {
  url: string;
  adminKey: string;
  /** Admin-authenticated: may call internal functions. Function log lines are not printed. */
  client: ConvexHttpClient;
  close(): Promise<void>;
}

export async function withLocalConvex(convexDir: string = PROJECT_CONVEX_DIR, opts: { logger?: Logger } = {}): Promise<LocalConvexHandle> {
  const adminKey = `local-convex|${randomBytes(16).toString("hex")}`;
  const server = await startLocalConvex({ convexDir, adminKey, port: 0, ...(opts.logger ? { logger: opts.logger } : {}) });
  const client = new ConvexHttpClient(server.url, { logger: false });
  setAdminAuth(client, adminKey);
  return { url: server.url, adminKey, client, close: server.close };
}

/**
 * `ConvexHttpClient.setAdminAuth` exists at runtime but is marked @internal, so convex's published
 * types omit it. This is the one typed door to it (it sends `Authorization: Convex <key>`).
 */
export function setAdminAuth(client: ConvexHttpClient, adminKey: string): void {
  (client as unknown as { setAdminAuth(token: string): void }).setAdminAuth(adminKey);
}
