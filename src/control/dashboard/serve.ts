// The dashboard's two routes on the sidecar's health/metrics port: GET /dashboard (HTML, ?refresh=N
// reloads every N s) and GET /dashboard.json (the same data). Read-only: nothing here writes anywhere.
// Every string is scrubbed of the configured secrets before rendering (a backstop: the data never holds
// configuration, but reasons and error lines are free text), and the page may run no script and load
// nothing (Content-Security-Policy), so even text that slipped past escaping could not act.
import { scrubSecrets } from "../../log";
import { renderDashboard } from "./render";
import type { DashboardData, DashboardSource } from "./types";

export interface RouteResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === "string") return scrubSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  return value;
}

/** The route handler for `url`, or null when the path is not the dashboard's. */
export function dashboardRoute(source: DashboardSource, secrets: readonly string[]): (method: string, url: string) => Promise<RouteResponse> | null {
  // Requests that arrive while a load is in flight share it: a page reloaded by many tabs costs Convex one read.
  let inFlight: Promise<DashboardData> | null = null;
  const load = (): Promise<DashboardData> =>
    (inFlight ??= source
      .load()
      .then((d) => scrubDeep(d, secrets))
      .finally(() => (inFlight = null)));
  return (method, url) => {
    const u = new URL(url, "http://dashboard.invalid");
    if (u.pathname !== "/dashboard" && u.pathname !== "/dashboard.json") return null;
    if (method !== "GET" && method !== "HEAD") return Promise.resolve({ status: 405, headers: { allow: "GET, HEAD", ...NO_STORE }, body: "read-only\n" });
    if (u.pathname === "/dashboard.json") return load().then((d) => ({ status: 200, headers: { "content-type": "application/json", ...NO_STORE }, body: JSON.stringify(d) }));
    const refresh = Number(u.searchParams.get("refresh") ?? 0);
    const refreshSeconds = Number.isInteger(refresh) && refresh > 0 ? Math.max(2, refresh) : undefined;
    return load().then((d) => ({
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP, "referrer-policy": "no-referrer", ...NO_STORE },
      body: renderDashboard(d, refreshSeconds === undefined ? {} : { refreshSeconds }),
    }));
  };
}
